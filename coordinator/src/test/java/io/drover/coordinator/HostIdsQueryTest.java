package io.drover.coordinator;

import io.drover.coordinator.audit.JdbcSettings;
import io.drover.schema.DroverSchema;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host ids come from the journal through the partial index of V5, one entry per host, not from a scan of every
 * event: the journal grows with each migration's samples, and GET /api/hosts and each POST /api/migrations read them.
 */
class HostIdsQueryTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    @Test
    void eachHostOnceThroughThePartialIndex() throws Exception {
        String db = "drover_hostids_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + db);
        try {
            DroverSchema.migrate(SERVER + db, "postgres", "");
            JdbcSettings settings = new JdbcSettings(SERVER + db, "postgres", "");
            try (Connection c = settings.connect(); Statement s = c.createStatement()) {
                // Hosts with several events each, and many more migration events, as a journal has them.
                s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id, event_ser_manifest, event_payload)"
                        + " SELECT 'Host|kvm-' || (g / 5), g % 5 + 1, 'w', 1, 'x', '\\x00' FROM generate_series(0, 49) g");
                s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id, event_ser_manifest, event_payload)"
                        + " SELECT 'Migration|m-' || (g / 100), g % 100 + 1, 'w', 1, 'x', '\\x00' FROM generate_series(0, 19999) g");
                s.execute("ANALYZE event_journal");
                // Whatever the planner would pick on a journal this small, the index must serve the query's predicate.
                s.execute("SET enable_seqscan = off");
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = s.executeQuery("EXPLAIN " + Coordinator.HOST_IDS_SQL)) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                assertTrue(plan.toString().contains("event_journal_host_idx"), plan.toString());
            }
            List<String> ids = Coordinator.hostIds(settings);
            assertEquals(10, ids.size(), ids.toString());
            assertEquals(ids.stream().sorted().toList(), ids);
            assertEquals("kvm-0", ids.get(0));
            assertEquals(ids, Coordinator.persisted(settings).hosts());
        } finally {
            admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
