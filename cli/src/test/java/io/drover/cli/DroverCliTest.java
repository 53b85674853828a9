package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.events.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drover command line: bad input exits 2 naming what is wrong; a real local migration prints its summary. */
class DroverCliTest {
    @TempDir Path tmp;

    record Run(int exit, String out, String err) { }

    static Run run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            var cl = Drover.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--dirty-rate fast                       | 'fast' is not a rate",
            "--postcopy --multifd                    | post-copy and multifd cannot be combined",
            "--postcopy-after-passes 2               | post-copy after N passes needs post-copy allowed",
            "--cpu-throttle-initial 20               | cpu-throttle settings need auto-converge",
            "--downtime-limit 99999999               | downtime limit must be between 0 and 2000000 ms",
            "--xbzrle --xbzrle-cache-size 1000       | xbzrle cache size must be a power of two",
            "--multifd-channels 4                    | multifd channels need multifd",
            "--accel xen                             | --accel must be kvm, tcg or auto",
            "--kafka 127.0.0.1:1 --no-kafka          | --kafka and --no-kafka contradict each other",
            "--no-such-flag                          | Unknown option: '--no-such-flag'",
            "--recover /nonexistent-drover-dir       | /nonexistent-drover-dir is not a directory",
    })
    void badFlagsAndImpossibleCombinationsExitTwoNamingTheProblem(String args, String message) {
        List<String> argv = new java.util.ArrayList<>(List.of("local-migrate", "--work-dir", tmp.toString()));
        argv.addAll(List.of(args.trim().split("\\s+")));
        Run r = run(argv.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void servicesRejectAnUnknownLogLevelBeforeStartingAnything() {
        Run c = run("coordinator", "--log-level", "LOUD", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertEquals(2, c.exit(), c.err());
        assertTrue(c.err().contains("--log-level must be ERROR, WARN, INFO, DEBUG or TRACE, got 'LOUD'"), c.err());
        Run a = run("agent", "--host-id", "h", "--kafka", "127.0.0.1:1", "--data-dir", tmp.toString(), "--log-level", "verbose");
        assertEquals(2, a.exit(), a.err());
        assertTrue(a.err().contains("got 'verbose'"), a.err());
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        // Walks the whole command tree, so that a command added later without help is caught too.
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(Drover.commandLine()));
        int seen = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            if (c.getCommand() instanceof picocli.CommandLine.HelpCommand) {
                continue; // picocli's own "help COMMAND", which prints to standard error
            }
            List<String> argv = new java.util.ArrayList<>(List.of(c.getCommandSpec().qualifiedName(" ").split(" ")));
            argv.remove(0); // "drover"
            argv.add("--help");
            Run r = run(argv.toArray(String[]::new));
            assertEquals(0, r.exit(), argv + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: " + c.getCommandSpec().qualifiedName(" ")), argv + ": " + r.out());
            seen++;
        }
        assertTrue(seen > 10, "only " + seen + " commands");
    }

    @Test
    void benchRejectsANonsenseRunCount() {
        Run r = run("bench", "local-migrate", "--runs", "0", "--no-kafka");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--runs must be between 1 and 1000"), r.err());
    }

    @Test
    void benchControlPlaneRejectsANonsenseRunCountBeforeStartingAnything() {
        Run r = run("bench", "control-plane", "--runs", "0", "--work-dir", tmp.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--runs must be between 1 and 1000"), r.err());
        Run max = run("bench", "control-plane", "--dirty-rate", "max", "--work-dir", tmp.toString());
        assertEquals(2, max.exit(), max.err());
        assertTrue(max.err().contains("--dirty-rate max is not supported"), max.err());
    }

    @Test
    void localMigratePrintsALinePerPassASummaryAndJsonLast() throws Exception {
        Run r = run("local-migrate", "--work-dir", tmp.resolve("run").toString(), "--memory", "128",
                "--dirty-rate", "16MiB/s", "--max-bandwidth", "48MiB/s", "--sample-interval", "200", "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        String[] lines = r.out().strip().split("\n");
        JsonNode json = Json.mapper().readTree(lines[lines.length - 1]);
        assertEquals("completed", json.path("status").asText());
        assertTrue(json.path("passes").asInt() > 1, json.toString());
        for (String field : List.of("totalTimeMs", "downtimeMs", "transferredBytes")) {
            assertTrue(json.path(field).asLong() > 0, field + " in " + json);
        }
        assertTrue(List.of("kvm", "tcg").contains(json.path("accel").asText()), json.toString());
        assertTrue(json.path("consistent").asBoolean(), json.toString());
        assertTrue(r.out().contains("pass   1  remaining"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("status") && l.contains("completed")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("kafka") && l.contains("records to drover.agent.events")), r.out());
    }
}
