package io.drover.cli;

import io.drover.agent.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.service.AgentService;
import io.drover.events.CommandResult;
import io.drover.events.MigrationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 of the coordinator (a child process, {@code drover coordinator}) mid-migration, then a new one on
 * the same database and Kafka: the migration finishes truthfully, the agent started it exactly once, and the
 * VM runs on one host.
 */
class EndToEndCoordinatorCrashTest {
    @TempDir
    Path tmp;

    @Test
    void aCoordinatorKilledMidMigrationIsRestartedAndTheMigrationCompletes() throws Exception {
        try (E2eCluster c = new E2eCluster(tmp)) {
            int port = FreePorts.loopback();
            Process first = c.coordinatorProcess(port, "coordinator-1");
            AgentService a = c.agentInJvm("crash-a");
            AgentService b = c.agentInJvm("crash-b");
            c.startVm("crash-a", "vm-crash", 4L << 20);
            c.awaitVmListed("vm-crash", "crash-a", "crash-a", "crash-b");

            // 64 MiB of touched pages, dirtied at 4 MiB/s, sent at 8 MiB/s: about 15 s, long enough to be caught in flight.
            MigrationPolicy slow = MigrationPolicy.builder().maxBandwidth(8L << 20).downtimeLimitMs(500L).sampleInterval(Duration.ofMillis(200)).build();
            String id = c.migrate("vm-crash", "crash-b", slow);
            c.awaitPhase(id, "MIGRATING", Duration.ofSeconds(60));
            first.destroyForcibly();
            assertTrue(first.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the coordinator died");

            c.coordinatorProcess(port, "coordinator-2");
            JsonNode done = c.awaitEnded(id, Duration.ofSeconds(60));
            assertEquals("COMPLETED", done.path("phase").asText(), done + "\n" + c.api.get("/api/migrations/" + id + "/events")
                    + "\n" + c.log("coordinator-2"));

            // Started exactly once: any re-send after the restart was answered as a duplicate.
            String startId = "migration/" + id + "/start-migration";
            List<CommandResult> starts = c.results().stream().filter(r -> r.commandId().equals(startId)).toList();
            assertEquals(1, starts.stream().filter(r -> !r.duplicate()).count(), starts.toString());
            assertTrue(starts.stream().allMatch(CommandResult::ok), starts.toString());
            assertEquals(1, c.lines.stream().filter(l -> l.startsWith("crash-a: handled start-migration " + startId)).count(),
                    c.lines.toString());

            E2eCluster.await(Duration.ofSeconds(20), "the VM on B only", () -> {
                try {
                    return c.hostsRunning("vm-crash").equals(List.of("crash-b"));
                } catch (Exception e) {
                    return false;
                }
            });
            E2eCluster.await(Duration.ofSeconds(20), () -> "A to retire the VM: " + c.lines, () -> a.vms().isEmpty());
            assertEquals("running", b.vms().get(0).state());
        }
    }
}
