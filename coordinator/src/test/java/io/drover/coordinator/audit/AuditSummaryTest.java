package io.drover.coordinator.audit;

import io.drover.events.CoordinatorDecision;
import io.drover.events.Json;
import io.drover.events.RecordTypes;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one-line summaries `drover audit` prints, for the coordinator's decisions. */
class AuditSummaryTest {

    @Test
    void aDecisionIsSummarisedByItsEventPhaseAndReason() {
        CoordinatorDecision d = new CoordinatorDecision("m-1", 3, "vm-42", "kvm-1", "kvm-2", "CancellationRequested",
                "MIGRATING", "CANCELLING", "cancelled by request: drain aborted", null);
        var data = Json.mapper().valueToTree(d.record("drover://coordinator", Instant.EPOCH)).path("data");
        assertEquals("event=CancellationRequested newPhase=CANCELLING reason=cancelled by request: drain aborted",
                AuditSummary.of(RecordTypes.COORDINATOR_DECISION, data));
        CoordinatorDecision plain = new CoordinatorDecision("m-1", 4, "vm-42", "kvm-1", "kvm-2", "SourceStarted",
                "MIGRATING", "MIGRATING", null, null);
        assertEquals("event=SourceStarted newPhase=MIGRATING",
                AuditSummary.of(RecordTypes.COORDINATOR_DECISION, Json.mapper().valueToTree(plain)));
    }
}
