package io.drover.coordinator.audit;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Inserts into {@code audit_log} and {@code audit_rejects} in the caller's transaction. Both inserts are
 * idempotent: an event id (or, for rejects, a Kafka position) already stored is skipped, so replaying a
 * topic adds nothing.
 */
public final class AuditStore {

    private static final String INSERT_ENTRY = "INSERT INTO audit_log (event_id, type, source, subject, vm_id, host_id,"
            + " migration_id, event_time, topic, partition, kafka_offset, record)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (event_id) DO NOTHING";
    private static final String INSERT_REJECT = "INSERT INTO audit_rejects (topic, partition, kafka_offset, record_key,"
            + " raw_value, error) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic, partition, kafka_offset) DO NOTHING";
    /** SQLSTATE class 22, "data exception": PostgreSQL refuses the value itself (e.g. a NUL character). */
    private static final String DATA_EXCEPTION_CLASS = "22";

    private AuditStore() {
    }

    /** Inserts the entries in one batch; returns how many were new (the others were there already). */
    public static int insertEntries(Connection c, List<AuditEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_ENTRY)) {
            for (AuditEntry e : entries) {
                int i = 0;
                ps.setString(++i, e.eventId());
                ps.setString(++i, e.type());
                ps.setString(++i, e.source());
                ps.setString(++i, e.subject());
                ps.setString(++i, e.vmId());
                ps.setString(++i, e.hostId());
                ps.setString(++i, e.migrationId());
                ps.setObject(++i, e.eventTime().atOffset(ZoneOffset.UTC));
                ps.setString(++i, e.topic());
                ps.setInt(++i, e.partition());
                ps.setLong(++i, e.offset());
                ps.setString(++i, e.json());
                ps.addBatch();
            }
            return countInserted(ps.executeBatch());
        }
    }

    /** Inserts the rejects in one batch; returns how many were new. */
    public static int insertRejects(Connection c, List<AuditReject> rejects) throws SQLException {
        if (rejects.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_REJECT)) {
            for (AuditReject r : rejects) {
                ps.setString(1, r.topic());
                ps.setInt(2, r.partition());
                ps.setLong(3, r.offset());
                ps.setBytes(4, r.key());
                ps.setBytes(5, r.value());
                ps.setString(6, r.error());
                ps.addBatch();
            }
            return countInserted(ps.executeBatch());
        }
    }

    /**
     * True when PostgreSQL refused a value rather than the statement or the connection failing: retrying
     * the same row cannot help, so the row is a reject.
     */
    static boolean isDataError(SQLException e) {
        for (SQLException x = e; x != null; x = x instanceof BatchUpdateException ? x.getNextException() : null) {
            if (x.getSQLState() != null && x.getSQLState().startsWith(DATA_EXCEPTION_CLASS)) {
                return true;
            }
        }
        return false;
    }

    /** What the server said, without the batch statement pgjdbc wraps around it. */
    static String reason(SQLException e) {
        SQLException next = e instanceof BatchUpdateException ? e.getNextException() : null;
        return (next != null ? next : e).getMessage();
    }

    private static int countInserted(int[] counts) {
        int inserted = 0;
        for (int n : counts) {
            // SUCCESS_NO_INFO is not expected from PostgreSQL; count it as inserted rather than lose it.
            inserted += n == Statement.SUCCESS_NO_INFO ? 1 : Math.max(n, 0);
        }
        return inserted;
    }
}
