package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.service.AgentService;
import io.drover.events.CommandResult;
import io.drover.events.MigrationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source's agent ({@code drover agent}, a child process) killed -9 mid-migration and restarted on the same
 * data directory: QEMU migrates on, the new agent re-attaches, and the migration finishes truthfully with
 * the VM on one host.
 */
class EndToEndAgentCrashTest {
    @TempDir
    Path tmp;

    @Test
    void aSourceAgentKilledMidMigrationIsRestartedAndTheMigrationCompletes() throws Exception {
        try (E2eCluster c = new E2eCluster(tmp)) {
            c.coordinatorInJvm();
            Process agentA = c.agentProcess("kill-a", "agent-a-1");
            AgentService b = c.agentInJvm("kill-b");
            c.startVm("kill-a", "vm-kill", 4L << 20);
            c.awaitVmListed("vm-kill", "kill-a", "kill-a", "kill-b");

            MigrationPolicy slow = MigrationPolicy.builder().maxBandwidth(8L << 20).downtimeLimitMs(500L).sampleInterval(Duration.ofMillis(200)).build();
            String id = c.migrate("vm-kill", "kill-b", slow);
            c.awaitPhase(id, "MIGRATING", Duration.ofSeconds(60));
            // Killed once QEMU migrates (start-migration answered), not while the agent is still configuring it: an
            // agent killed before it told QEMU to migrate truthfully reports that start-migration as interrupted,
            // and the migration fails with the VM still on the source (not what this test is about).
            String startId = "migration/" + id + "/start-migration";
            E2eCluster.await(Duration.ofSeconds(30), "start-migration answered",
                    () -> c.results().stream().anyMatch(r -> r.commandId().equals(startId) && r.ok()));
            agentA.destroyForcibly();
            assertTrue(agentA.waitFor(10, TimeUnit.SECONDS), "the agent died");
            assertEquals(List.of("kill-a"), c.hostsRunning("vm-kill").stream().filter(h -> h.equals("kill-a")).toList(),
                    "the source QEMU outlives its agent");

            c.agentProcess("kill-a", "agent-a-2");
            JsonNode done;
            try {
                done = c.awaitEnded(id, Duration.ofSeconds(60));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nagent-a-1: " + c.log("agent-a-1") + "\nagent-a-2: " + c.log("agent-a-2"), e);
            }
            assertEquals("COMPLETED", done.path("phase").asText(), done + "\n" + c.api.get("/api/migrations/" + id + "/events")
                    + "\n" + c.log("agent-a-2"));

            List<CommandResult> starts = c.results().stream().filter(r -> r.commandId().equals(startId)).toList();
            assertEquals(1, starts.stream().filter(r -> !r.duplicate()).count(), starts.toString());

            E2eCluster.await(Duration.ofSeconds(30), () -> "the VM on B only: " + c.log("agent-a-2"), () -> {
                try {
                    return c.hostsRunning("vm-kill").equals(List.of("kill-b"));
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals("running", b.vms().get(0).state());
        }
    }
}
