package io.drover.coordinator.readmodel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.coordinator.infra.KafkaAgentGateway;
import io.drover.coordinator.migration.AgentGateway;
import io.drover.coordinator.migration.MigrationEvent;
import io.drover.coordinator.migration.MigrationEvent.*;
import io.drover.events.CoordinatorDecision;
import io.drover.events.Json;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Applies one migration event to its {@code migration_summary} row, in the projection's transaction: the
 * request inserts the row, every later event sets the phase and what the event changes. The row follows
 * {@link io.drover.coordinator.migration.MigrationState#summary}, except that an ended migration keeps its
 * last uri, pass and downtime limit (the entity's summary of a failed or cancelled one forgets its run).
 *
 * <p>Each row remembers the sequence number of the last event applied, and an event at or below it changes
 * nothing: exactly-once already holds with the offset in the same transaction, this keeps a replay (an
 * offset reset, say) harmless too.
 */
final class MigrationSummaryHandler extends JdbcHandler<EventEnvelope<MigrationEvent>, PooledJdbcSession> {
    private static final Logger log = LoggerFactory.getLogger(MigrationSummaryHandler.class);

    static final String INSERT = "INSERT INTO migration_summary (migration_id, vm_id, source_host, destination_host, phase,"
            + " uri, pass, downtime_limit_ms, auto_converge_on, reason, requested_at, updated_at, last_sequence_nr)"
            + " VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?, NULL, ?, ?, ?) ON CONFLICT (migration_id) DO NOTHING";

    private final AgentGateway decisions;

    MigrationSummaryHandler(AgentGateway decisions) {
        this.decisions = decisions;
    }

    /**
     * The row, then the decision record: published before the transaction (row and offset) commits, so an event
     * is marked done only once Kafka has its record. A failed publish rolls the row back and the projection retries
     * after its back-off; a commit lost after a publish publishes it again under the same record id, which the
     * audit log keeps once.
     */
    @Override
    public void process(PooledJdbcSession session, EventEnvelope<MigrationEvent> envelope) throws SQLException {
        Connection c = session.connection();
        apply(c, envelope.event(), envelope.sequenceNr());
        Optional<CoordinatorDecision> d = decision(c, envelope.event(), envelope.sequenceNr());
        if (d.isPresent()) {
            decisions.publish(d.get().record(KafkaAgentGateway.SOURCE, envelope.event().time()));
        }
        logEvent(envelope.event());
    }

    /** Members of every event that the decision carries at its top level, left out of its {@code details}. */
    private static final java.util.List<String> TOP_LEVEL = java.util.List.of("migrationId", "time", "oldPhase", "newPhase", "reason");

    /**
     * The decision record of {@code event}, with the VM and hosts from its row (written by this migration's first
     * event, in this transaction or an earlier one); empty for a progress sample (the agents publish their own) and
     * for a migration without a row (its request was never tagged, logged by {@link #apply}).
     */
    static Optional<CoordinatorDecision> decision(Connection c, MigrationEvent event, long sequenceNr) throws SQLException {
        if (event instanceof ProgressRecorded) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT vm_id, source_host, destination_host FROM migration_summary WHERE migration_id = ?")) {
            ps.setString(1, event.migrationId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String reason = event instanceof ConvergenceDecisionTaken d ? d.reason() : event instanceof Explained x ? x.reason() : null;
                ObjectNode details = Json.mapper().valueToTree(event);
                details.remove(TOP_LEVEL);
                return Optional.of(new CoordinatorDecision(event.migrationId(), sequenceNr, rs.getString(1), rs.getString(2),
                        rs.getString(3), event.getClass().getSimpleName(), event.oldPhase() == null ? null : event.oldPhase().name(),
                        event.newPhase().name(), reason, details.isEmpty() ? null : details));
            }
        }
    }

    /**
     * The coordinator's log of what happens to migrations, once per event (the projection's offset makes it
     * once, where the entity's handlers run again on every recovery); samples only at DEBUG, a line each 500 ms.
     */
    private static void logEvent(MigrationEvent e) {
        String reason = e instanceof ConvergenceDecisionTaken d ? ": " + d.reason() : e instanceof Explained x ? ": " + x.reason() : "";
        if (e instanceof ProgressRecorded) {
            log.debug("migration {} {} {}", e.migrationId(), e.getClass().getSimpleName(), e.newPhase());
        } else {
            log.info("migration {} {} {} -> {}{}", e.migrationId(), e.getClass().getSimpleName(), e.oldPhase(), e.newPhase(), reason);
        }
    }

    static void apply(Connection c, MigrationEvent event, long sequenceNr) throws SQLException {
        if (event instanceof MigrationRequested e) {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setString(1, e.migrationId());
                ps.setString(2, e.vmId());
                ps.setString(3, e.sourceHost());
                ps.setString(4, e.destinationHost());
                ps.setString(5, e.newPhase().name());
                ps.setLong(6, e.policy().downtimeLimitAtStep(1));
                ps.setBoolean(7, e.policy().autoConverge());
                ps.setObject(8, utc(e.time()));
                ps.setObject(9, utc(e.time()));
                ps.setLong(10, sequenceNr);
                ps.executeUpdate();
            }
            return;
        }
        Map<String, Object> set = changes(event);
        set.put("updated_at", utc(event.time()));
        set.put("last_sequence_nr", sequenceNr);
        // The column names are this class's constants, never input.
        String sql = "UPDATE migration_summary SET " + String.join(" = ?, ", set.keySet())
                + " = ? WHERE migration_id = ? AND last_sequence_nr < ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object v : set.values()) {
                if (v == null) {
                    ps.setNull(i++, Types.VARCHAR); // only the text columns uri and reason are ever cleared
                } else {
                    ps.setObject(i++, v);
                }
            }
            ps.setString(i++, event.migrationId());
            ps.setLong(i, sequenceNr);
            if (ps.executeUpdate() == 0 && !exists(c, event.migrationId())) {
                log.warn("no migration_summary row for {} (its MigrationRequested was never tagged): {} skipped",
                        event.migrationId(), event.getClass().getSimpleName());
            }
        }
    }

    /** The columns {@code event} sets on an existing row, besides the time and the sequence number. */
    static Map<String, Object> changes(MigrationEvent event) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("phase", event.newPhase().name());
        if (event instanceof DestinationPrepared e) {
            set.put("uri", e.newUri());
        } else if (event instanceof MigrateIssued e) {
            set.put("uri", e.uri());
            set.put("downtime_limit_ms", e.downtimeLimitMs());
        } else if (event instanceof ProgressRecorded e) {
            set.put("pass", e.newPass());
        } else if (event instanceof ConvergenceDecisionTaken e) {
            set.put("downtime_limit_ms", e.newDowntimeLimitMs());
        } else if (event instanceof Explained e) {
            set.put("reason", e.reason());
        } else if (event instanceof SwitchoverCompleted || event instanceof MigrationCompleted) {
            set.put("reason", null); // confirming and completed migrations have no reason
        }
        // SourceStarted: the phase alone.
        return set;
    }

    private static boolean exists(Connection c, String migrationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM migration_summary WHERE migration_id = ?")) {
            ps.setString(1, migrationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
