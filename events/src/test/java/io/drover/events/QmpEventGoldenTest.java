package io.drover.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden tests of QMP events, as QEMU 7.2 sent them, and of Drover's {@link QmpEventData} form. */
class QmpEventGoldenTest {

    static Stream<Arguments> qmpEvents() {
        return Stream.of(
                Arguments.of("qmp-migration.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:45:19.285690Z"), new MigrationEvent(MigrationStatus.SETUP))),
                Arguments.of("qmp-migration-pass.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:45:19.286732Z"), new MigrationPassEvent(1))),
                Arguments.of("qmp-stop.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:45:22.097578Z"), new StopEvent())),
                Arguments.of("qmp-resume.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:45:22.104376Z"), new ResumeEvent())),
                Arguments.of("qmp-job-status-change.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:45:29.324683Z"),
                        new JobStatusChangeEvent("snapsave0", JobStatus.CREATED))),
                Arguments.of("qmp-colo-exit.json", new QmpEventData(
                        Instant.parse("2034-05-25T03:52:40.417172Z"),
                        new ColoExitEvent(ColoMode.PRIMARY, ColoExitReason.REQUEST))),
                Arguments.of("qmp-shutdown.json", new QmpEventData(
                        Instant.parse("2026-11-21T19:44:24.987529Z"),
                        new GenericQmpEvent("SHUTDOWN",
                                Golden.parse("{\"guest\": false, \"reason\": \"host-qmp-quit\"}")))));
    }

    /** QEMU's wire form both ways, and the payload record to exactly QEMU's {@code data}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("qmpEvents")
    void qmpWireFormBothWays(String golden, QmpEventData expected) {
        JsonNode qmp = Golden.tree(golden);
        QmpEventData parsed = QmpEventData.fromQmp(qmp);
        assertEquals(expected, parsed);
        assertEquals(qmp.get("event").asText(), parsed.eventName());
        Golden.assertSameJson(qmp, parsed.toQmp());

        JsonNode qemuData = qmp.has("data") ? qmp.get("data") : Golden.parse("{}");
        Golden.assertSameJson(qemuData, Golden.written(expected.payload()));
        assertEquals(expected.payload(), QmpEventPayload.of(expected.eventName(), qmp.get("data")));
    }

    @Test
    void typedPayloadFields() {
        assertSame(MigrationStatus.SETUP,
                ((MigrationEvent) QmpEventData.fromQmp(Golden.tree("qmp-migration.json")).payload()).status());
        assertEquals(1L,
                ((MigrationPassEvent) QmpEventData.fromQmp(Golden.tree("qmp-migration-pass.json")).payload()).pass());
        JobStatusChangeEvent job = (JobStatusChangeEvent) QmpEventData.fromQmp(
                Golden.tree("qmp-job-status-change.json")).payload();
        assertEquals("snapsave0", job.id());
        assertSame(JobStatus.CREATED, job.status());
        ColoExitEvent colo = (ColoExitEvent) QmpEventData.fromQmp(Golden.tree("qmp-colo-exit.json")).payload();
        assertSame(ColoMode.PRIMARY, colo.mode());
        assertSame(ColoExitReason.REQUEST, colo.reason());
        assertEquals(Instant.ofEpochSecond(2032141960L, 417_172_000L),
                QmpEventData.fromQmp(Golden.tree("qmp-colo-exit.json")).timestamp());
    }

    @Test
    void droverFormOfMigration() {
        QmpEventData expected = new QmpEventData("MIGRATION", Instant.parse("2026-11-21T19:45:19.285690Z"),
                new MigrationEvent(MigrationStatus.SETUP));
        Golden.assertBothWays("qmp-event-data-migration.json", expected, QmpEventData.class);
    }

    @Test
    void droverFormOfStopHasEmptyData() {
        QmpEventData expected = new QmpEventData(Instant.parse("2026-11-21T19:45:22.097578Z"), new StopEvent());
        QmpEventData parsed = Golden.assertBothWays("qmp-event-data-stop.json", expected, QmpEventData.class);
        assertInstanceOf(StopEvent.class, parsed.payload());
    }

    @Test
    void droverFormOfAnyOtherEventIsGeneric() {
        QmpEventData expected = new QmpEventData(Instant.parse("2026-11-21T19:44:24.987529Z"),
                new GenericQmpEvent("SHUTDOWN", Golden.parse("{\"guest\": false, \"reason\": \"host-qmp-quit\"}")));
        QmpEventData parsed = Golden.assertBothWays("qmp-event-data-shutdown.json", expected, QmpEventData.class);
        assertEquals("host-qmp-quit", ((GenericQmpEvent) parsed.payload()).data().get("reason").asText());
    }

    @Test
    void knownEventWithOddDataFallsBackToGeneric() {
        assertGeneric("MIGRATION", "{}");
        assertGeneric("MIGRATION", "{\"status\": {\"nested\": true}}");
        assertGeneric("MIGRATION", "[\"completed\"]");
        assertGeneric("MIGRATION", null);
        assertGeneric("MIGRATION_PASS", "{\"pass\": \"second\"}");
        assertGeneric("MIGRATION_PASS", "{}");
        assertGeneric("JOB_STATUS_CHANGE", "{\"status\": \"running\"}");
        assertGeneric("COLO_EXIT", "{\"mode\": \"primary\"}");
        assertGeneric("STOP", "\"oops\"");
    }

    private static void assertGeneric(String event, String data) {
        JsonNode node = data == null ? null : Golden.parse(data);
        QmpEventPayload payload = QmpEventPayload.of(event, node);
        GenericQmpEvent generic = assertInstanceOf(GenericQmpEvent.class, payload, event + " " + data);
        assertEquals(event, generic.eventName());
        assertEquals(node == null ? Golden.parse("{}") : node, generic.data());
    }

    @Test
    void knownEventWithUnknownEnumValueStaysTyped() {
        MigrationEvent e = assertInstanceOf(MigrationEvent.class,
                QmpEventPayload.of("MIGRATION", Golden.parse("{\"status\": \"postcopy-teleport\"}")));
        assertFalse(e.status().isKnown());
        JobStatusChangeEvent j = assertInstanceOf(JobStatusChangeEvent.class,
                QmpEventPayload.of("JOB_STATUS_CHANGE", Golden.parse("{\"id\": \"j\", \"status\": \"dozing\"}")));
        assertEquals("dozing", j.status().raw());
    }

    @Test
    void extraMembersInKnownEventsAreTolerated() {
        assertEquals(new MigrationEvent(MigrationStatus.COMPLETED),
                QmpEventPayload.of("MIGRATION", Golden.parse("{\"status\": \"completed\", \"id\": 7}")));
        assertEquals(new StopEvent(), QmpEventPayload.of("STOP", Golden.parse("{\"reason\": \"why not\"}")));
    }

    @Test
    void malformedQmpMessagesAreRejectedByName() {
        IllegalArgumentException noEvent = assertThrows(IllegalArgumentException.class,
                () -> QmpEventData.fromQmp(Golden.parse("{\"return\": {}}")));
        assertTrue(noEvent.getMessage().contains("'event'"), noEvent.getMessage());
        IllegalArgumentException noTimestamp = assertThrows(IllegalArgumentException.class,
                () -> QmpEventData.fromQmp(Golden.parse("{\"event\": \"STOP\"}")));
        assertTrue(noTimestamp.getMessage().contains("'timestamp'"), noTimestamp.getMessage());
    }

    @Test
    void eventNameMustMatchPayload() {
        assertThrows(IllegalArgumentException.class,
                () -> new QmpEventData("RESUME", Instant.EPOCH, new StopEvent()));
    }

    @Test
    void genericDataIsACopy() {
        var data = Golden.MAPPER.createObjectNode().put("a", 1);
        GenericQmpEvent e = new GenericQmpEvent("X", data);
        data.put("a", 2);
        assertEquals(1, e.data().get("a").asInt());
    }
}
