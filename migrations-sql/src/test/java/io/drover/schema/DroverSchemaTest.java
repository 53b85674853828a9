package io.drover.schema;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the Flyway scripts against the real local PostgreSQL, in a database of the test's own. */
class DroverSchemaTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    String db;

    @BeforeEach
    void createDatabase() throws Exception {
        db = "drover_schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
    }

    @AfterEach
    void dropDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void createsEveryTableOnceAndIsIdempotent() throws Exception {
        int first = DroverSchema.migrate(SERVER + db, "postgres", "");
        int second = DroverSchema.migrate(SERVER + db, "postgres", "");
        assertTrue(first >= 1, "the first run applies the scripts");
        assertEquals(0, second, "a second run has nothing to do");
        Set<String> tables = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[]{"TABLE"})) {
            while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
        }
        assertTrue(tables.containsAll(Set.of("event_journal", "event_tag", "snapshot", "durable_state", "audit_log",
                "pekko_projection_offset_store", "pekko_projection_management", "migration_summary")), tables.toString());
        // pekko-persistence-jdbc 1.1.x writes tags as (event_id = event_journal.ordering, tag).
        assertEquals(Set.of("event_id", "tag"), columns("event_tag"));
        // pekko-projection-jdbc 1.0.0's Postgres dialect, lower-case schema.
        assertEquals(Set.of("projection_name", "projection_key", "current_offset", "manifest", "mergeable", "last_updated"),
                columns("pekko_projection_offset_store"));
        assertEquals(Set.of("projection_name", "projection_key", "paused", "last_updated"), columns("pekko_projection_management"));
        assertEquals(Set.of("migration_id", "vm_id", "source_host", "destination_host", "phase", "uri", "pass",
                "downtime_limit_ms", "auto_converge_on", "reason", "requested_at", "updated_at", "last_sequence_nr"),
                columns("migration_summary"));
        Set<String> indexes = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getIndexInfo(null, "public", "migration_summary", false, false)) {
            while (rs.next()) indexes.add(rs.getString("INDEX_NAME"));
        }
        assertTrue(indexes.containsAll(Set.of("migration_summary_vm_idx", "migration_summary_phase_idx")), indexes.toString());
        Set<String> journalIndexes = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getIndexInfo(null, "public", "event_journal", false, false)) {
            while (rs.next()) journalIndexes.add(rs.getString("INDEX_NAME"));
        }
        assertTrue(journalIndexes.contains("event_journal_host_idx"), "V5's index of the host ids: " + journalIndexes);
    }

    @Test
    void tagsTheMigrationEventsPersistedBeforeTheProjectionExisted() throws Exception {
        Flyway.configure().dataSource(SERVER + db, "postgres", "").locations("classpath:db/migration").target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", ""); Statement s = c.createStatement()) {
            for (String pid : List.of("Migration|m-1", "Migration|m-1", "Host|kvm-1", "Migration|m-2")) {
                s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id, event_ser_manifest, event_payload)"
                        + " VALUES ('" + pid + "', (SELECT count(*) + 1 FROM event_journal WHERE persistence_id = '" + pid + "'),"
                        + " 'w', 1, 'x', '\\x00')");
            }
        }
        assertEquals(2, DroverSchema.migrate(SERVER + db, "postgres", ""), "V4 and V5");
        List<String> tagged = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT j.persistence_id || '/' || j.sequence_number || ':' || t.tag"
                     + " FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id ORDER BY j.ordering")) {
            while (rs.next()) tagged.add(rs.getString(1));
        }
        assertEquals(List.of("Migration|m-1/1:migration", "Migration|m-1/2:migration", "Migration|m-2/1:migration"), tagged);
    }

    private Set<String> columns(String table) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getColumns(null, "public", table, "%")) {
            while (rs.next()) out.add(rs.getString("COLUMN_NAME"));
        }
        return out;
    }
}
