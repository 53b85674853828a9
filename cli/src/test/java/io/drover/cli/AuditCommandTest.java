package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.cli.DroverCliTest.Run;
import io.drover.coordinator.audit.AuditEntry;
import io.drover.coordinator.audit.AuditStore;
import io.drover.events.DroverRecord;
import io.drover.events.Json;
import io.drover.events.MigrationEvent;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationRole;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.QmpEventData;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import io.drover.schema.DroverSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.drover.cli.DroverCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code drover audit}: bad flags exit 2 naming the flag; a query prints the matching records. */
class AuditCommandTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final String DB = "drover_audit_cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static final Instant NOW = Instant.now();
    /** vm-1 on host-1: a QMP event 10 minutes ago, a sample 5 minutes ago; vm-2: a QMP event 2 hours ago. */
    static final List<DroverRecord<?>> RECORDS = new ArrayList<>();

    @BeforeAll
    static void createDatabase() throws Exception {
        admin("CREATE DATABASE " + DB);
        DroverSchema.migrate(SERVER + DB, "postgres", "");
        Instant t1 = NOW.minus(Duration.ofMinutes(10));
        Instant t2 = NOW.minus(Duration.ofMinutes(5));
        Instant t3 = NOW.minus(Duration.ofHours(2));
        RECORDS.add(DroverRecord.qmpEvent(DroverRecord.hostSource("host-1"), "vm-1", t1,
                new QmpEventData(t1, new MigrationEvent(MigrationStatus.ACTIVE))));
        RECORDS.add(DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, DroverRecord.hostSource("host-1"), "vm-1", t2,
                new MigrationSample("mig-1", MigrationRole.SOURCE, t2, MigrationInfo.ofStatus(MigrationStatus.ACTIVE, null))));
        RECORDS.add(DroverRecord.qmpEvent(DroverRecord.hostSource("host-2"), "vm-2", t3,
                new QmpEventData(t3, new MigrationEvent(MigrationStatus.SETUP))));
        try (Connection c = DriverManager.getConnection(SERVER + DB, "postgres", "")) {
            AuditStore.insertEntries(c, RECORDS.stream().map(r -> AuditEntry.of(r, Topics.AGENT_EVENTS, 0, 0)).toList());
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        admin("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--since 1x                                                  | Invalid value for option '--since': '1x' is neither an age",
            "--until yesterday                                           | Invalid value for option '--until': 'yesterday' is neither an age",
            "--limit 0                                                   | --limit must be between 1 and 100000, was 0",
            "--limit many                                                | Invalid value for option '--limit'",
            "--since 2026-11-21T10:00:00Z --until 2026-11-21T09:00:00Z   | --until (2026-11-21T09:00:00Z) must be after --since",
            "--db-url mysql://db/drover                                  | --db-url must be a jdbc:postgresql: URL",
            "--vm                                                        | Missing required parameter for option '--vm'",
            "--no-such-flag                                              | Unknown option: '--no-such-flag'",
    })
    void badFlagsExitTwoNamingTheFlag(String args, String message) {
        List<String> argv = new ArrayList<>(List.of("audit"));
        argv.addAll(List.of(args.trim().split("\\s+")));
        Run r = run(argv.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void aDatabaseThatIsNotThereExitsOne() {
        Run r = run("audit", "--db-url", "jdbc:postgresql://127.0.0.1:1/drover", "--vm", "vm-1");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("cannot read the audit log at postgres@jdbc:postgresql://127.0.0.1:1/drover"), r.err());
    }

    @Test
    void printsTheMatchingRecordsAsATable() {
        Run r = run("audit", "--db-url", SERVER + DB, "--vm", "vm-1", "--since", "1h");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).matches("TIME +TYPE +SUBJECT +HOST +MIGRATION +SUMMARY"), lines.get(0));
        assertTrue(lines.get(1).matches(".*io\\.drover\\.qmp\\.MIGRATION +vm-1 +host-1 +- +status=active"), lines.get(1));
        assertTrue(lines.get(2).matches(".*io\\.drover\\.migration\\.sample +vm-1 +host-1 +mig-1 +role=source status=active"),
                lines.get(2));
        assertEquals("2 records", lines.get(3));
    }

    @Test
    void printsJsonLinesWithTheWholeRecord() throws Exception {
        Run r = run("audit", "--db-url", SERVER + DB, "--type", "io.drover.qmp.", "--since", "3h", "--json");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(2, lines.size(), r.out());
        JsonNode older = Json.mapper().readTree(lines.get(0));
        assertEquals(RECORDS.get(2).id(), older.path("eventId").asText());
        assertEquals(RECORDS.get(2).id(), older.path("record").path("id").asText());
        assertEquals("status=setup", older.path("summary").asText());
        assertEquals(RECORDS.get(0).id(), Json.mapper().readTree(lines.get(1)).path("eventId").asText());
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
