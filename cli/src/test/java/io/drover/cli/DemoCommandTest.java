package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.events.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code drover demo}: bad flags exit 2 before anything starts; a small fleet (2 agents, 2 VMs: the drained
 * host's one VM migrates) runs end to end with real processes, Kafka, PostgreSQL and QEMU, and ends with the
 * JSON line.
 */
class DemoCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--agents 1                 | --agents must be between 2 and 16",
            "--vms 0                    | --vms must be between 1 and 64",
            "--vm-memory 8              | --vm-memory must be between 32 and 4096",
            "--deadline 0               | --deadline must be positive",
            "--postcopy --multifd       | post-copy and multifd cannot be combined",
            "--accel xen                | --accel",
            "--max-bandwidth fast       | 'fast' is not a rate",
            "--no-such-flag             | Unknown option",
    })
    void badFlagsExit2AndSayWhy(String flags, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("demo"));
        args.addAll(List.of(flags.trim().split("\\s+")));
        DroverCliTest.Run r = DroverCliTest.run(args.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertTrue(r.out().isEmpty(), "nothing started: " + r.out());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aSmallFleetDrainsAHostAndEndsWithTheJsonLine(@TempDir Path work) throws Exception {
        DroverCliTest.Run r = DroverCliTest.run("demo", "--agents", "2", "--vms", "2", "--json", "--work-dir", work.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        String[] lines = r.out().strip().split("\n");
        JsonNode last = Json.mapper().readTree(lines[lines.length - 1]);
        assertEquals(1, last.get("migrations").asInt(), last.toString());
        assertEquals(1, last.get("completed").asInt(), last.toString());
        assertEquals(0, last.get("failed").asInt(), last.toString());
        assertTrue(last.get("auditRecords").asLong() > 0, last.toString());
        JsonNode m = last.get("details").get(0);
        assertEquals("vm-1", m.get("vmId").asText());
        assertEquals("host-1", m.get("from").asText());
        assertEquals("host-2", m.get("to").asText());
        assertTrue(m.get("passes").asLong() >= 1, m.toString());
        assertTrue(r.out().contains("VM    FROM"), r.out());
        assertTrue(r.err().isEmpty() || !r.err().contains("Exception"), r.err());
        // Everything it started is stopped: no QEMU of this run is left.
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(work.toString())),
                "a process of the demo outlived it");
    }

    @Test
    void decisionsAreCountedByKind() {
        assertEquals("raise-downtime-limit x3 (to 120ms), post-copy",
                DemoCommand.briefly(List.of("raise-downtime-limit 60ms @pass 2", "raise-downtime-limit 90ms @pass 3",
                        "raise-downtime-limit 120ms @pass 4", "post-copy")));
    }
}
