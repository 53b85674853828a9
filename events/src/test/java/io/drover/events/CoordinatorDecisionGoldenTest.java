package io.drover.events;

import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's decision records on {@link Topics#COORDINATOR_DECISIONS}. */
class CoordinatorDecisionGoldenTest {

    static final CoordinatorDecision RAISED = new CoordinatorDecision("m-1a2b3c4d5e6f", 4, "vm-42", "kvm-17", "kvm-23",
            "ConvergenceDecisionTaken", "MIGRATING", "MIGRATING",
            "pass 3: expected downtime 412 ms over the 300 ms limit, remaining 96 MiB at 250 MiB/s: downtime limit raised"
                    + " to 450 ms (step 2 of 5)",
            Golden.parse("{\"pass\": 3, \"oldDowntimeLimitMs\": 300, \"newDowntimeLimitMs\": 450}"));

    @Test
    void aDecisionRecordBothWays() {
        DroverRecord<CoordinatorDecision> rec = RAISED.record("drover://coordinator", Instant.parse("2026-11-21T19:45:20.512Z"));
        DroverRecord<CoordinatorDecision> parsed = Golden.assertBothWays("record-coordinator-decision.json", rec, new TypeReference<>() { });
        assertEquals(4, parsed.data().sequenceNr());
        assertEquals(450, parsed.data().details().path("newDowntimeLimitMs").asInt());
        // As the audit log reads it off Kafka: typed by its type.
        DroverRecord<?> off = new DroverRecordDeserializer().deserialize(Topics.COORDINATOR_DECISIONS,
                Golden.text("record-coordinator-decision.json").getBytes(StandardCharsets.UTF_8));
        assertInstanceOf(CoordinatorDecision.class, off.data());
    }

    @Test
    void theRecordIdIsTheSameEachTimeAndDiffersPerEvent() {
        assertEquals(RAISED.recordId(), RAISED.record("drover://coordinator", Instant.EPOCH).id());
        CoordinatorDecision next = new CoordinatorDecision("m-1a2b3c4d5e6f", 5, "vm-42", "kvm-17", "kvm-23",
                "SwitchoverCompleted", "MIGRATING", "CONFIRMING", null, null);
        assertNotEquals(RAISED.recordId(), next.recordId());
        String json = new String(new DroverRecordSerializer().serialize(Topics.COORDINATOR_DECISIONS,
                next.record("drover://coordinator", Instant.EPOCH)), StandardCharsets.UTF_8);
        assertTrue(!json.contains("reason") && !json.contains("details"), "absent members stay absent: " + json);
    }

    @Test
    void aDecisionNamesWhatItLacks() {
        Exception e = assertThrows(Exception.class, () -> Golden.MAPPER.readValue(
                "{\"migrationId\": \"m\", \"sequenceNr\": 1, \"event\": \"MigrationRequested\", \"newPhase\": \"PREPARING\"}",
                CoordinatorDecision.class));
        assertTrue(e.getMessage().contains("vmId"), e.getMessage());
        Exception seq = assertThrows(Exception.class, () -> new CoordinatorDecision("m", 0, "v", null, null, "E", null, "P", null, null));
        assertTrue(seq.getMessage().contains("sequenceNr"), seq.getMessage());
    }
}
