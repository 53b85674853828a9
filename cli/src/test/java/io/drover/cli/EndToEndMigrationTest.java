package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.service.AgentService;
import io.drover.events.MigrationPolicy;
import io.drover.events.RecordTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A migration through the coordinator between two agents, end to end: a real Kafka, the real PostgreSQL,
 * the coordinator and two agents in this JVM, a real QEMU running the dirtying guest; the migration is
 * asked for and followed over the REST API only.
 */
class EndToEndMigrationTest {
    @TempDir
    Path tmp;

    @Test
    void aMigrationThroughTheCoordinatorBetweenTwoAgents() throws Exception {
        try (E2eCluster c = new E2eCluster(tmp)) {
            c.coordinatorInJvm();
            AgentService a = c.agentInJvm("e2e-a");
            AgentService b = c.agentInJvm("e2e-b");
            c.startVm("e2e-a", "vm-e2e", 8L << 20);
            c.awaitVmListed("vm-e2e", "e2e-a", "e2e-a", "e2e-b");

            MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(256L << 20).sampleInterval(Duration.ofMillis(200)).build();
            String id = c.migrate("vm-e2e", "e2e-b", policy);
            JsonNode done = c.awaitEnded(id, Duration.ofSeconds(60));
            assertEquals("COMPLETED", done.path("phase").asText(), done + "\n" + c.api.get("/api/migrations/" + id + "/events"));

            // The VM runs on B only; A's QEMU for it is gone and A no longer lists it.
            E2eCluster.await(Duration.ofSeconds(20), "A's QEMU to go", () -> {
                try {
                    return c.hostsRunning("vm-e2e").equals(List.of("e2e-b"));
                } catch (Exception e) {
                    return false;
                }
            });
            E2eCluster.await(Duration.ofSeconds(20), () -> "A to retire the VM: " + c.lines, () -> a.vms().isEmpty());
            assertEquals(1, b.vms().size());
            assertEquals("running", b.vms().get(0).state());

            // The journal, in order.
            List<String> types = new ArrayList<>();
            List<String> phases = new ArrayList<>();
            long seq = 0;
            for (JsonNode e : c.api.get("/api/migrations/" + id + "/events")) {
                assertTrue(e.path("sequenceNr").asLong() > seq, "events in sequence order");
                seq = e.path("sequenceNr").asLong();
                types.add(e.path("type").asText());
                if (!e.path("newPhase").asText().equals(e.path("oldPhase").asText())) {
                    phases.add(e.path("newPhase").asText());
                }
            }
            // (CleanUpAnswered, the source's answer to its retirement, may be in already: it is checked below.)
            List<String> milestones = types.stream().filter(t -> !t.equals("ProgressRecorded")
                    && !t.equals("ConvergenceDecisionTaken") && !t.equals("CleanUpAnswered")).toList();
            assertEquals(List.of("MigrationRequested", "DestinationPrepared", "MigrateIssued", "SourceStarted",
                    "SwitchoverCompleted", "MigrationCompleted"), milestones, types.toString());
            assertEquals(List.of("PREPARING", "PREPARED", "MIGRATING", "CONFIRMING", "COMPLETED"), phases, types.toString());

            // The audit log holds the migration's records: its commands, the agents' results and the outcome.
            E2eCluster.await(Duration.ofSeconds(20), "the audit log", () -> {
                JsonNode audit = c.api.get("/api/audit?migration=" + id);
                return audit.toString().contains(RecordTypes.MIGRATION_OUTCOME);
            });
            String audit = c.api.get("/api/audit?migration=" + id).toString();
            assertTrue(audit.contains(RecordTypes.AGENT_COMMAND), audit);
            assertTrue(audit.contains("start-migration"), audit);
            // The source's agent answered its retirement, and the entity recorded that: a recovery will not re-send it.
            E2eCluster.await(Duration.ofSeconds(20), "the retirement's answer in the journal", () ->
                    c.api.get("/api/migrations/" + id + "/events").findValuesAsText("type").contains("CleanUpAnswered"));
            List<String> journal = new ArrayList<>();
            for (JsonNode e : c.api.get("/api/migrations/" + id + "/events")) {
                journal.add(e.path("type").asText());
            }
            assertEquals("CleanUpAnswered", journal.get(journal.size() - 1), journal.toString());
            JsonNode answered = c.api.get("/api/migrations/" + id + "/events").get(journal.size() - 1);
            assertEquals("host e2e-a did retire-source", answered.path("reason").asText(), answered.toString());
            // And the coordinator's decisions: each journal event but the samples, once, in journal order.
            List<String> decided = journal.stream().filter(t -> !t.equals("ProgressRecorded")).toList();
            E2eCluster.await(Duration.ofSeconds(20), "the decisions in the audit log", () -> c.api.get("/api/audit?migration=" + id
                    + "&type=" + RecordTypes.COORDINATOR_DECISION).size() >= decided.size());
            List<String> audited = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (JsonNode row : c.api.get("/api/audit?migration=" + id + "&type=" + RecordTypes.COORDINATOR_DECISION)) {
                audited.add(row.path("record").path("data").path("event").asText());
                ids.add(row.path("eventId").asText());
                assertEquals("vm-e2e", row.path("vmId").asText(), row.toString());
            }
            assertEquals(decided, audited, "the decisions as the audit log holds them");
            assertEquals(ids.size(), ids.stream().distinct().count(), ids.toString());
        }
    }
}
