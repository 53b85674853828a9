package io.drover.coordinator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drover.events.Json;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the audit log: the records matching an {@link AuditFilter}, oldest first (by event time, then
 * insertion order). Plain JDBC with bound parameters only.
 */
public final class AuditQuery {

    private static final String COLUMNS = "seq, event_id, type, source, subject, vm_id, host_id, migration_id,"
            + " event_time, recorded_at, topic, partition, kafka_offset, record::text AS record";
    /** The backslash is PostgreSQL's default LIKE escape character. */
    private static final String LIKE_ESCAPE = "\\";

    private final ConnectionSource database;

    public AuditQuery(ConnectionSource database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** The matching records, on a connection of their own. */
    public List<AuditRow> find(AuditFilter filter) throws SQLException {
        try (Connection c = database.connect()) {
            return find(c, filter);
        }
    }

    /** The matching records, on the caller's connection. */
    public static List<AuditRow> find(Connection c, AuditFilter filter) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        condition(where, params, "vm_id = ?", filter.vmId());
        condition(where, params, "host_id = ?", filter.hostId());
        condition(where, params, "migration_id = ?", filter.migrationId());
        String prefix = filter.typePrefix();
        if (prefix != null) {
            condition(where, params, "type LIKE ?", escapeLike(prefix) + "%");
        } else {
            condition(where, params, "type = ?", filter.type());
        }
        condition(where, params, "event_time >= ?", filter.since() == null ? null : filter.since().atOffset(ZoneOffset.UTC));
        condition(where, params, "event_time < ?", filter.until() == null ? null : filter.until().atOffset(ZoneOffset.UTC));
        // The latest `limit` matches, then in chronological order.
        String sql = "SELECT * FROM (SELECT " + COLUMNS + " FROM audit_log"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY event_time DESC, seq DESC LIMIT ?) latest ORDER BY event_time, seq";
        params.add(filter.limit());
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<AuditRow> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row(rs));
                }
                return rows;
            }
        }
    }

    private static void condition(List<String> where, List<Object> params, String sql, Object value) {
        if (value != null) {
            where.add(sql);
            params.add(value);
        }
    }

    static String escapeLike(String s) {
        return s.replace(LIKE_ESCAPE, LIKE_ESCAPE + LIKE_ESCAPE)
                .replace("%", LIKE_ESCAPE + "%")
                .replace("_", LIKE_ESCAPE + "_");
    }

    private static AuditRow row(ResultSet rs) throws SQLException {
        try {
            return new AuditRow(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
                    rs.getString("source"), rs.getString("subject"), rs.getString("vm_id"), rs.getString("host_id"),
                    rs.getString("migration_id"), rs.getObject("event_time", OffsetDateTime.class).toInstant(),
                    rs.getObject("recorded_at", OffsetDateTime.class).toInstant(), rs.getString("topic"),
                    rs.getInt("partition"), rs.getLong("kafka_offset"), Json.mapper().readTree(rs.getString("record")));
        } catch (JsonProcessingException e) {
            // jsonb always holds valid JSON; this would be a driver or database fault.
            throw new SQLException("audit_log row " + rs.getLong("seq") + " has unreadable JSON: " + e.getMessage(), e);
        }
    }
}
