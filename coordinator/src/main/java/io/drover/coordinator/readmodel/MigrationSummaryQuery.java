package io.drover.coordinator.readmodel;

import io.drover.coordinator.audit.ConnectionSource;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.coordinator.migration.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code migration_summary}: the migrations as the projection last saw them, oldest request first.
 * A migration persisted a moment ago may not be there yet.
 */
public final class MigrationSummaryQuery {
    private final ConnectionSource db;

    public MigrationSummaryQuery(ConnectionSource db) {
        this.db = db;
    }

    /**
     * What the read model knows of VM {@code vmId}'s unfinished migrations, in one indexed query: those it last saw
     * in a phase that does not end them, and which of {@code candidates} (ids created a moment ago, which it may not
     * list yet) it has already seen end. A phase that ends a migration is final, so an id listed as ended is over
     * for good, whatever the lag.
     */
    public Unfinished unfinished(String vmId, java.util.Collection<String> candidates) throws SQLException {
        String ending = java.util.Arrays.stream(Phase.values()).filter(Phase::isTerminal).map(p -> "'" + p.name() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
        List<String> open = new ArrayList<>();
        java.util.Set<String> ended = new java.util.HashSet<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT migration_id, phase IN (" + ending + ") FROM migration_summary"
                        + " WHERE (vm_id = ? AND phase NOT IN (" + ending + ")) OR migration_id = ANY(?) ORDER BY requested_at")) {
            ps.setString(1, vmId);
            ps.setArray(2, c.createArrayOf("text", candidates.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        ended.add(rs.getString(1));
                    } else {
                        open.add(rs.getString(1));
                    }
                }
            }
        }
        return new Unfinished(List.copyOf(open), java.util.Set.copyOf(ended));
    }

    /**
     * @param unfinished the read model's unfinished migrations of the VM, oldest request first
     * @param ended      the candidates it lists as ended
     */
    public record Unfinished(List<String> unfinished, java.util.Set<String> ended) {
    }

    /** The migrations of VM {@code vmId} (null: any) in {@code phase} (null: any). */
    public List<MigrationSummary> find(String vmId, Phase phase) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT migration_id, phase, vm_id, source_host, destination_host, uri, pass,"
                + " downtime_limit_ms, auto_converge_on, reason FROM migration_summary WHERE true");
        List<String> args = new ArrayList<>();
        if (vmId != null) {
            sql.append(" AND vm_id = ?");
            args.add(vmId);
        }
        if (phase != null) {
            sql.append(" AND phase = ?");
            args.add(phase.name());
        }
        sql.append(" ORDER BY requested_at, migration_id");
        List<MigrationSummary> out = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new MigrationSummary(rs.getString("migration_id"), Phase.valueOf(rs.getString("phase")),
                            rs.getString("vm_id"), rs.getString("source_host"), rs.getString("destination_host"),
                            rs.getString("uri"), rs.getLong("pass"), rs.getLong("downtime_limit_ms"),
                            rs.getBoolean("auto_converge_on"), rs.getString("reason")));
                }
            }
        }
        return out;
    }
}
