package io.drover.agent.local;

import io.drover.agent.engine.MigrationPhase;
import io.drover.agent.guest.ConsistencyCheck;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent killed with SIGKILL mid-migration: QEMU (daemonized) keeps migrating; a new agent
 * re-attaches from the state file and reports the right final status.
 */
class AgentRestartTest {
    @TempDir Path tmp;

    @Test
    void anAgentKilledMidMigrationReattachesAndReportsTheFinalStatus() throws Exception {
        Path dir = tmp.resolve("run");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), AgentChild.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        List<String> seen = new ArrayList<>();
        LocalMigration m = null;
        try {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (String line; (line = out.readLine()) != null; ) {
                    seen.add(line);
                    if (line.equals("PASS 2")) break;
                }
            }
            assertTrue(seen.contains("PASS 2"), "the child agent reached pass 2: " + seen);
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(MigrationPhase.MIGRATING, MigrationStateFile.load(dir).state().phase(), "saved before migrate");

            m = LocalMigration.reattach(dir);
            assertTrue(m.source().isAlive() && m.destination().isAlive(), "QEMU outlived the agent");
            assertEquals("active", m.sourceEndpoint().qmp().execute("query-migrate").path("status").asText(),
                    "still migrating with no agent attached");
            var decisions = new ArrayList<String>();
            MigrationOutcome o = m.resume(new io.drover.agent.engine.MigrationListener() {
                @Override
                public void onDecision(String decision, String reason) {
                    decisions.add(decision);
                }
            }).await(Duration.ofMinutes(2));
            assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
            assertTrue(o.passes() > 2, "passes counted across the restart: " + o.passes());
            assertTrue(decisions.contains("reattach"), decisions.toString());
            assertEquals(MigrationPhase.COMPLETED, MigrationStateFile.load(dir).state().phase());
            ConsistencyCheck.Result r = m.checkConsistency(o);
            assertTrue(r.consistent(), r.explanation());
        } finally {
            child.destroyForcibly();
            if (m != null) m.close();
            else killLeftovers(dir);
        }
    }

    /** If re-attaching failed, the QEMUs the child started must not outlive the test. */
    private static void killLeftovers(Path dir) {
        try {
            var s = MigrationStateFile.load(dir).state();
            io.drover.agent.qemu.QemuProcess.reattach(s.sourceDir()).kill();
            io.drover.agent.qemu.QemuProcess.reattach(s.destinationDir()).kill();
        } catch (RuntimeException ignored) {
            // nothing was started
        }
    }
}
