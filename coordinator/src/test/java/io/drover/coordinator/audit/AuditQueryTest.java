package io.drover.coordinator.audit;

import io.drover.coordinator.audit.SampleRecords.Sample;
import io.drover.events.RecordTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AuditQuery's filters return exactly the matching rows, oldest first. */
class AuditQueryTest {
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static TestDatabase db;
    static AuditQuery query;
    /** Two VMs on two hosts; see {@link SampleRecords#oneOfEach}: 8 records each, a second apart. */
    static List<Sample> a;
    static List<Sample> b;

    @BeforeAll
    static void fill() throws Exception {
        db = new TestDatabase();
        query = new AuditQuery(db.settings);
        a = SampleRecords.oneOfEach("vm-1", "host-1", "mig-1", T0);
        b = SampleRecords.oneOfEach("vm-2", "host-2", "mig-2", T0.plusSeconds(60));
        List<AuditEntry> entries = new ArrayList<>();
        // Inserted newest first: the order of the results comes from the event time, not from insertion.
        for (List<Sample> samples : List.of(b, a)) {
            for (Sample s : samples) {
                entries.add(AuditEntry.of(s.record(), s.topic(), 0, entries.size()));
            }
        }
        try (Connection c = db.settings.connect()) {
            AuditStore.insertEntries(c, entries);
        }
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) db.close();
    }

    @Test
    void byVmHostAndMigration() throws Exception {
        assertEquals(ids(a.stream().filter(s -> s.vmId() != null).toList()), found(AuditFilter.all().vm("vm-1")));
        assertEquals(ids(a.stream().filter(s -> "host-1".equals(s.hostId())).toList()), found(AuditFilter.all().host("host-1")));
        assertEquals(ids(b.stream().filter(s -> "mig-2".equals(s.migrationId())).toList()),
                found(AuditFilter.all().migration("mig-2")));
        assertEquals(List.of(), found(AuditFilter.all().vm("vm-1").migration("mig-2")));
    }

    @Test
    void byExactTypeOrPrefix() throws Exception {
        List<String> qmp = new ArrayList<>(ids(a.stream().filter(s -> RecordTypes.isQmp(s.record().type())).toList()));
        qmp.addAll(ids(b.stream().filter(s -> RecordTypes.isQmp(s.record().type())).toList()));
        assertEquals(4, qmp.size());
        assertEquals(qmp, found(AuditFilter.all().type("io.drover.qmp.")));
        assertEquals(qmp, found(AuditFilter.all().type("io.drover.qmp.*")));
        assertEquals(List.of(qmp.get(1), qmp.get(3)), found(AuditFilter.all().type(RecordTypes.QMP_STOP)));
        assertEquals(List.of(), found(AuditFilter.all().type("io.drover.qmp")), "without a dot or star it is exact");
        assertEquals(List.of(b.get(4).record().id()), found(AuditFilter.all().type(RecordTypes.AGENT_COMMAND).vm("vm-2")));
        assertEquals(List.of(), found(AuditFilter.all().type("io_drover%")), "LIKE wildcards are literal");
    }

    @Test
    void byTimeRangeSinceInclusiveUntilExclusive() throws Exception {
        assertEquals(ids(a.subList(2, 5)), found(AuditFilter.all().since(T0.plusSeconds(2)).until(T0.plusSeconds(5))));
        assertEquals(ids(b), found(AuditFilter.all().since(T0.plusSeconds(60))));
        assertEquals(ids(a), found(AuditFilter.all().until(T0.plusSeconds(60))));
    }

    @Test
    void aLimitKeepsTheLatestInChronologicalOrder() throws Exception {
        assertEquals(ids(b.subList(5, 8)), found(AuditFilter.all().limit(3)));
    }

    @Test
    void filterValuesAreDataNotSql() throws Exception {
        assertEquals(List.of(), found(AuditFilter.all().vm("vm-1' OR '1'='1")));
        assertEquals(List.of(), found(AuditFilter.all().type("x'; DROP TABLE audit_log; --")));
        assertEquals(16, db.count("SELECT count(*) FROM audit_log"));
    }

    @Test
    void rowsCarryTheWholeRecordAndASummary() throws Exception {
        AuditRow row = query.find(AuditFilter.all().vm("vm-1").limit(1).until(T0.plusSeconds(1))).get(0);
        Sample first = a.get(0);
        assertEquals(first.record().id(), row.record().path("id").asText());
        assertEquals("status=active", row.summary());
        assertEquals("host-1", row.hostId());
        assertEquals(first.record().time(), row.eventTime());
    }

    @Test
    void badFiltersAreRefusedNamingTheProblem() {
        assertEquals("limit must be between 1 and 100000, was 0",
                assertThrows(IllegalArgumentException.class, () -> AuditFilter.all().limit(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AuditFilter.all().since(T0).until(T0));
    }

    private static List<String> found(AuditFilter filter) throws Exception {
        return query.find(filter).stream().map(AuditRow::eventId).toList();
    }

    private static List<String> ids(List<Sample> samples) {
        return samples.stream().map(s -> s.record().id()).toList();
    }
}
