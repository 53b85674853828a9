package io.drover.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DroverRecordTest {

    private static final String TOPIC = Topics.AGENT_EVENTS;
    private final DroverRecordSerializer serializer = new DroverRecordSerializer();
    private final DroverRecordDeserializer deserializer = new DroverRecordDeserializer();

    private static <T> DroverRecord<T> record(String id, String source, String type, String time, T data) {
        return new DroverRecord<>("1.0", id, source, type, "vm-42", Instant.parse(time), "application/json", 1, data);
    }

    static final DroverRecord<QmpEventData> QMP_MIGRATION = record("6f1c9b0e-4a44-4c1e-9d7e-3f0a3c2b8d11",
            "drover://host/kvm-17", RecordTypes.QMP_MIGRATION, "2026-11-21T19:45:19.290Z",
            new QmpEventData("MIGRATION", Instant.parse("2026-11-21T19:45:19.285690Z"),
                    new MigrationEvent(MigrationStatus.SETUP), "source", 7L));

    @Test
    void qmpMigrationRecord() {
        DroverRecord<?> parsed = Golden.assertBothWays("record-qmp-migration.json", QMP_MIGRATION,
                DroverRecord.class);
        assertEquals("1.0", parsed.specversion());
        assertEquals("io.drover.qmp.MIGRATION", parsed.type());
        assertEquals("vm-42", parsed.subject());
        assertEquals("vm-42", parsed.key());
        assertEquals(1, parsed.droverschemaversion());
        QmpEventData data = assertInstanceOf(QmpEventData.class, parsed.data());
        assertEquals(new MigrationEvent(MigrationStatus.SETUP), data.payload());
        assertEquals("source", data.instance());
        assertEquals(7L, data.sequence());
    }

    @Test
    void qmpStopRecord() {
        DroverRecord<QmpEventData> expected = record("0b9f6a61-93f4-4b58-8d0c-2a4d27c4f0e3", "drover://host/kvm-17",
                RecordTypes.QMP_STOP, "2026-11-21T19:45:22.100Z",
                new QmpEventData(Instant.parse("2026-11-21T19:45:22.097578Z"), new StopEvent()));
        DroverRecord<?> parsed = Golden.assertBothWays("record-qmp-stop.json", expected, DroverRecord.class);
        assertInstanceOf(StopEvent.class, ((QmpEventData) parsed.data()).payload());
    }

    @Test
    void migrationSampleRecord() {
        DroverRecord<MigrationSample> expected = record("a3e0f7d2-1c5b-4e8a-9f6d-7b2c1d0e9f84",
                "drover://host/kvm-23", RecordTypes.MIGRATION_SAMPLE, "2026-11-21T19:45:20.700Z",
                AgentDataGoldenTest.SAMPLE);
        DroverRecord<?> parsed = Golden.assertBothWays("record-migration-sample.json", expected, DroverRecord.class);
        assertEquals(MigrationRole.DESTINATION, assertInstanceOf(MigrationSample.class, parsed.data()).role());
    }

    @Test
    void migrationOutcomeRecord() {
        DroverRecord<MigrationOutcome> expected = record("c7d4b9a8-2e61-4f3a-b5c0-9e8d7f6a5b43",
                "drover://host/kvm-17", RecordTypes.MIGRATION_OUTCOME, "2026-11-21T19:45:22.200Z",
                AgentDataGoldenTest.COMPLETED);
        DroverRecord<MigrationOutcome> parsed = Golden.assertBothWays("record-migration-outcome.json", expected,
                new TypeReference<>() { });
        assertEquals(3, parsed.data().passes());
    }

    @Test
    void unknownTypeKeepsDataAsJson() {
        JsonNode data = Golden.parse("{\"planId\": \"plan-7\", \"steps\": [{\"kind\": \"migrate\", \"to\": \"kvm-23\"}]}");
        DroverRecord<JsonNode> expected = record("5d2f8c1e-7b3a-4c9d-8e0f-1a2b3c4d5e6f",
                "drover://coordinator/eu-1", "io.drover.plan.created", "2026-11-21T19:40:00Z", data);
        DroverRecord<?> parsed = Golden.assertBothWays("record-unknown-type.json", expected, DroverRecord.class);
        assertInstanceOf(JsonNode.class, parsed.data());
    }

    @Test
    void newerSchemaVersionKeepsDataAsJson() {
        DroverRecord<?> parsed = Golden.read("record-future-schema-version.json", DroverRecord.class);
        assertEquals(2, parsed.droverschemaversion());
        JsonNode data = assertInstanceOf(JsonNode.class, parsed.data());
        assertEquals("completed", data.get("result").asText());
        Golden.assertSameJson(Golden.tree("record-future-schema-version.json"), Golden.written(parsed));
    }

    @Test
    void createGivesFreshIdAndCurrentVersion() {
        Instant now = Instant.parse("2026-11-21T19:45:22.200Z");
        DroverRecord<MigrationOutcome> a = DroverRecord.create(RecordTypes.MIGRATION_OUTCOME,
                DroverRecord.hostSource("kvm-17"), "vm-42", now, AgentDataGoldenTest.COMPLETED);
        DroverRecord<MigrationOutcome> b = DroverRecord.create(RecordTypes.MIGRATION_OUTCOME,
                DroverRecord.hostSource("kvm-17"), "vm-42", now, AgentDataGoldenTest.COMPLETED);
        assertNotEquals(a.id(), b.id());
        assertEquals(a.id(), UUID.fromString(a.id()).toString());
        assertEquals("1.0", a.specversion());
        assertEquals("drover://host/kvm-17", a.source());
        assertEquals("application/json", a.datacontenttype());
        assertEquals(DroverRecord.CURRENT_SCHEMA_VERSION, a.droverschemaversion());
        assertEquals(now, a.time());
    }

    @Test
    void qmpEventFactoryDerivesTheType() {
        QmpEventData shutdown = QmpEventData.fromQmp(Golden.tree("qmp-shutdown.json"));
        DroverRecord<QmpEventData> r = DroverRecord.qmpEvent("drover://host/kvm-17", "vm-42", Instant.EPOCH, shutdown);
        assertEquals("io.drover.qmp.SHUTDOWN", r.type());
        assertEquals(QmpEventData.class, RecordTypes.dataClass(r.type()).orElseThrow());
    }

    @Test
    void createRejectsDataOfTheWrongClass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DroverRecord.create(
                RecordTypes.MIGRATION_OUTCOME, "drover://host/h", "vm-42", Instant.EPOCH, AgentDataGoldenTest.SAMPLE));
        assertTrue(e.getMessage().contains("MigrationOutcome"), e.getMessage());
    }

    @Test
    void constructorNamesTheMissingAttribute() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DroverRecord.create(
                RecordTypes.MIGRATION_OUTCOME, "drover://host/h", " ", Instant.EPOCH, AgentDataGoldenTest.COMPLETED));
        assertEquals("missing required CloudEvents attribute 'subject'", e.getMessage());
    }

    @Test
    void kafkaRoundTrip() {
        RecordHeaders headers = new RecordHeaders();
        byte[] bytes = serializer.serialize(TOPIC, headers, QMP_MIGRATION);
        assertEquals(DroverRecordSerializer.STRUCTURED_CONTENT_TYPE,
                new String(headers.lastHeader("content-type").value(), StandardCharsets.UTF_8));
        assertEquals(QMP_MIGRATION, deserializer.deserialize(TOPIC, bytes));
        assertArrayEquals(bytes, serializer.serialize(TOPIC, QMP_MIGRATION), "deterministic bytes");
        Golden.assertSameJson(Golden.tree("record-qmp-migration.json"),
                Golden.parse(new String(bytes, StandardCharsets.UTF_8)));
    }

    @Test
    void serializedAttributeOrderIsCanonical() {
        String json = new String(serializer.serialize(TOPIC, QMP_MIGRATION), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"specversion\":\"1.0\",\"id\":\"6f1c9b0e-4a44-4c1e-9d7e-3f0a3c2b8d11\","
                + "\"source\":\"drover://host/kvm-17\",\"type\":\"io.drover.qmp.MIGRATION\",\"subject\":\"vm-42\","
                + "\"time\":\"2026-11-21T19:45:19.290Z\",\"datacontenttype\":\"application/json\","
                + "\"droverschemaversion\":1,\"data\":{"), json);
    }

    @Test
    void tombstonesAreNull() {
        assertNull(serializer.serialize(TOPIC, null));
        assertNull(deserializer.deserialize(TOPIC, null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not JSON                 | \u0000\u0001garbage                              | not valid JSON",
            "truncated JSON           | {\"specversion\": \"1.0\", \"id\":               | not valid JSON",
            "trailing garbage         | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1} }` "
                    + "| not valid JSON",
            "empty                    | ``                                              | empty value",
            "array                    | [1, 2]                                          | must be a JSON object",
            "missing specversion      | {\"id\": \"x\"}                                 | 'specversion'",
            "wrong specversion        | `{\"specversion\": \"0.3\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1}` "
                    + "| 'specversion': '0.3'",
            "missing type             | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1}` "
                    + "| attribute 'type'",
            "type not a string        | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": 7, "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1}` "
                    + "| attribute 'type' must be a string",
            "missing subject          | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1}` | attribute 'subject'",
            "bad time                 | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"subject\": \"v\", \"time\": \"yesterday\", \"droverschemaversion\": 1}` | 'time'",
            "missing schema version   | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\"}` | 'droverschemaversion'",
            "bad schema version       | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", "
                    + "\"subject\": \"v\", \"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": \"one\"}` "
                    + "| 'droverschemaversion' must be a positive integer",
            "data does not fit type   | `{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", "
                    + "\"type\": \"io.drover.migration.outcome\", \"subject\": \"v\", "
                    + "\"time\": \"2026-01-01T00:00:00Z\", \"droverschemaversion\": 1, "
                    + "\"data\": {\"migrationId\": \"m\", \"vmId\": \"v\", \"status\": \"failed\", "
                    + "\"passes\": \"many\"}}` | attribute 'data' is not a valid MigrationOutcome",
    })
    void poisonRecordsFailWithAClearMessage(String what, String value, String expectedInMessage) {
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize(TOPIC, value.getBytes(StandardCharsets.UTF_8)), what);
        assertTrue(e.getMessage().startsWith("invalid DroverRecord on topic 'drover.agent.events' ("), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage), what + ": " + e.getMessage());
    }

    @Test
    void dataErrorsNameThePathInsideData() {
        String json = "{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"io.drover.migration.sample\","
                + " \"subject\": \"v\", \"time\": \"2026-01-01T00:00:00+02:00\", \"droverschemaversion\": 1,"
                + " \"data\": {\"migrationId\": \"m\", \"role\": \"source\", \"sampledAt\": \"2026-01-01T00:00:00Z\","
                + " \"info\": {\"ram\": {\"transferred\": \"lots\"}}}}";
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("(at data.info.ram.transferred)"), e.getMessage());
    }

    @Test
    void unknownAttributesAndOffsetTimesAreAccepted() {
        String json = "{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"s\", \"type\": \"t\", \"subject\": \"v\","
                + " \"time\": \"2026-01-01T02:00:00+02:00\", \"droverschemaversion\": 1, \"traceparent\": \"00-abc\"}";
        DroverRecord<?> r = deserializer.deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), r.time());
        assertEquals("application/json", r.datacontenttype());
        assertNull(r.data());
    }

    @Test
    void recordTypes() {
        assertEquals("io.drover.qmp.MIGRATION_PASS", RecordTypes.qmp("MIGRATION_PASS"));
        assertEquals(RecordTypes.QMP_MIGRATION_PASS, RecordTypes.qmp("MIGRATION_PASS"));
        assertTrue(RecordTypes.isQmp(RecordTypes.QMP_JOB_STATUS_CHANGE));
        assertTrue(RecordTypes.dataClass("io.drover.qmp.").isEmpty());
        assertTrue(RecordTypes.dataClass("io.drover.unheard.of").isEmpty());
        assertTrue(RecordTypes.dataClass(null).isEmpty());
        assertEquals(MigrationSample.class, RecordTypes.dataClass(RecordTypes.MIGRATION_SAMPLE).orElseThrow());
        assertEquals(MigrationOutcome.class, RecordTypes.dataClass(RecordTypes.MIGRATION_OUTCOME).orElseThrow());
        assertEquals("drover.agent.events", Topics.AGENT_EVENTS);
    }
}
