package io.drover.schema;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
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
    void createsTheJournalTablesOnceAndIsIdempotent() throws Exception {
        int first = DroverSchema.migrate(SERVER + db, "postgres", "");
        int second = DroverSchema.migrate(SERVER + db, "postgres", "");
        assertTrue(first >= 1, "the first run applies the scripts");
        assertEquals(0, second, "a second run has nothing to do");
        Set<String> tables = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[]{"TABLE"})) {
            while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
        }
        assertTrue(tables.containsAll(Set.of("event_journal", "event_tag", "snapshot", "durable_state")), tables.toString());
        // pekko-persistence-jdbc 1.1.x writes tags as (event_id = event_journal.ordering, tag).
        Set<String> tagColumns = new HashSet<>();
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             ResultSet rs = c.getMetaData().getColumns(null, "public", "event_tag", "%")) {
            while (rs.next()) tagColumns.add(rs.getString("COLUMN_NAME"));
        }
        assertEquals(Set.of("event_id", "tag"), tagColumns);
    }
}
