package io.drover.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code drover agent}'s flags: what is missing or wrong exits 2 and is named. */
class AgentCommandLineTest {

    @Test
    void requiresHostIdKafkaAndDataDir() {
        DroverCliTest.Run r = DroverCliTest.run("agent", "--kafka", "127.0.0.1:9092");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--data-dir") && r.err().contains("--host-id"), r.err());
    }

    @Test
    void rejectsAnUnknownAccelerator() {
        DroverCliTest.Run r = DroverCliTest.run("agent", "--host-id", "h", "--kafka", "127.0.0.1:9092", "--data-dir", "/tmp/x",
                "--accel", "hvf");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--accel") && r.err().contains("hvf"), r.err());
    }

    @Test
    void helpNamesEveryOption() {
        DroverCliTest.Run r = DroverCliTest.run("agent", "--help");
        assertEquals(0, r.exit());
        for (String o : new String[]{"--host-id", "--kafka", "--data-dir", "--advertise-address", "--accel"}) {
            assertTrue(r.out().contains(o), o + " in " + r.out());
        }
    }
}
