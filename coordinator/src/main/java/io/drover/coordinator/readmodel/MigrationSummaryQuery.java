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
     * The ids of VM {@code vmId}'s migrations that the read model last saw in a phase that does not end them: an
     * indexed query (migration_summary_vm_idx), however long the journal has grown.
     */
    public List<String> unfinishedIds(String vmId) throws SQLException {
        String ending = java.util.Arrays.stream(Phase.values()).filter(Phase::isTerminal).map(p -> "'" + p.name() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT migration_id FROM migration_summary WHERE vm_id = ? AND phase NOT IN (" + ending + ") ORDER BY requested_at")) {
            ps.setString(1, vmId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
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
