package io.drover.coordinator.audit;

import io.drover.events.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The V2 schema: audit_log is append-only and idempotent by event id. */
class AuditLogSchemaTest {
    static TestDatabase db;
    static List<AuditEntry> entries;

    @BeforeAll
    static void createDatabase() throws Exception {
        db = new TestDatabase();
        entries = SampleRecords.oneOfEach("vm-s", "host-s", "mig-s", Instant.parse("2026-11-21T10:00:00Z")).stream()
                .map(s -> AuditEntry.of(s.record(), s.topic(), 0, 0)).toList();
        try (Connection c = db.settings.connect()) {
            assertEquals(entries.size(), AuditStore.insertEntries(c, entries));
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (db != null) db.close();
    }

    @Test
    void insertingTheSameEventIdsAgainAddsNothing() throws Exception {
        try (Connection c = db.settings.connect()) {
            assertEquals(0, AuditStore.insertEntries(c, entries));
        }
        assertEquals(entries.size(), db.count("SELECT count(*) FROM audit_log"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "UPDATE audit_log SET type = 'forged'    | UPDATE",
            "DELETE FROM audit_log                   | DELETE",
            "DELETE FROM audit_log WHERE false       | DELETE",
            "TRUNCATE audit_log                      | TRUNCATE",
    })
    void changingOrRemovingRecordsIsRefused(String sql, String operation) throws Exception {
        try (Connection c = db.settings.connect(); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute(sql));
            assertTrue(e.getMessage().contains("audit_log is append-only: " + operation + " refused"), e.getMessage());
        }
        assertEquals(entries.size(), db.count("SELECT count(*) FROM audit_log WHERE type <> 'forged'"));
    }

    @Test
    void rejectsAreIdempotentByKafkaPosition() throws Exception {
        AuditReject reject = new AuditReject(Topics.AGENT_EVENTS, 1, 42, null, new byte[]{0, 1, 2}, "bad \u0000 input");
        try (Connection c = db.settings.connect()) {
            assertEquals(1, AuditStore.insertRejects(c, List.of(reject)));
            assertEquals(0, AuditStore.insertRejects(c, List.of(reject)));
        }
        assertEquals(1, db.count("SELECT count(*) FROM audit_rejects WHERE error = 'bad \\u0000 input'"));
    }
}
