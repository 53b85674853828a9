package io.drover.coordinator.audit;

import java.time.Instant;

/**
 * Which audit records to return: every set criterion must match (null means any).
 *
 * <p>{@code type} is exact, or a prefix when it ends with {@code .} or {@code *}: {@code io.drover.qmp.}
 * and {@code io.drover.qmp.*} both match every forwarded QMP event. {@code since} is inclusive,
 * {@code until} exclusive. Of more than {@code limit} matching records the latest are returned.
 */
public record AuditFilter(String vmId, String hostId, String migrationId, String type, Instant since,
                          Instant until, int limit) {

    /** Enough for a screenful of history and more, without loading a whole fleet's log by accident. */
    public static final int DEFAULT_LIMIT = 1000;
    /** The most one query returns: beyond this, narrow the filter or the time range. */
    public static final int MAX_LIMIT = 100_000;

    /**
     * @throws IllegalArgumentException for a limit out of range or {@code until} not after {@code since}
     */
    public AuditFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && !until.isAfter(since)) {
            throw new IllegalArgumentException("until (" + until + ") must be after since (" + since + ")");
        }
        vmId = blankToNull(vmId);
        hostId = blankToNull(hostId);
        migrationId = blankToNull(migrationId);
        type = blankToNull(type);
    }

    /** Every record (up to {@link #DEFAULT_LIMIT}). */
    public static AuditFilter all() {
        return new AuditFilter(null, null, null, null, null, null, DEFAULT_LIMIT);
    }

    public AuditFilter vm(String vmId) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter host(String hostId) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter migration(String migrationId) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter type(String type) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter since(Instant since) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter until(Instant until) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    public AuditFilter limit(int limit) {
        return new AuditFilter(vmId, hostId, migrationId, type, since, until, limit);
    }

    /** The type prefix when {@code type} is one (without a trailing {@code *}), else null. */
    String typePrefix() {
        if (type == null) {
            return null;
        }
        if (type.endsWith("*")) {
            return type.substring(0, type.length() - 1);
        }
        return type.endsWith(".") ? type : null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
