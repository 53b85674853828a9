package io.drover.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link BrokerMain} as a real child JVM, as the demo does. */
class BrokerMainTest {

    /** A broker process needs little heap; small flags also make the child JVM start faster. */
    private static final List<String> CHILD_JVM_OPTIONS =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** How often to look for the child's ready line. */
    private static final long POLL_MILLIS = 50;

    /** How long a clean shutdown after SIGTERM may take. */
    private static final long STOP_SECONDS = 20;

    @TempDir
    Path dir;

    @Test
    void runsAsAProcessAndExitsZeroOnSigterm() throws Exception {
        int port = Ports.freePort();
        long began = System.nanoTime();
        Process broker = launch("--data-dir", dir.resolve("data").toString(), "--port", String.valueOf(port));
        try {
            String ready = awaitFirstLine(broker);
            System.out.printf("child broker ready in %d ms (JVM start included)%n",
                    (System.nanoTime() - began) / 1_000_000);
            assertEquals("KAFKA READY 127.0.0.1:" + port, ready, this::childStderr);

            String bootstrap = ready.substring(BrokerMain.READY_PREFIX.length() + 1);
            TestClients.produce(bootstrap, "demo", List.of("a", "b"));
            assertEquals(List.of("a", "b"), TestClients.consume(bootstrap, "demo", "demo-group", 2).values());

            broker.destroy(); // SIGTERM
            assertTrue(broker.waitFor(STOP_SECONDS, TimeUnit.SECONDS), "no exit after SIGTERM");
            assertEquals(0, broker.exitValue(), this::childStderr);
            assertEquals(ready + System.lineSeparator(), childOutput(stdoutFile()), "the only output");
        } finally {
            broker.destroyForcibly();
        }
    }

    @Test
    void portClashExitsOneNamingThePort() throws Exception {
        try (ServerSocket occupier = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = occupier.getLocalPort();

            Process broker = launch("--data-dir", dir.toString(), "--port", String.valueOf(port));

            assertTrue(broker.waitFor(STOP_SECONDS, TimeUnit.SECONDS));
            assertEquals(1, broker.exitValue());
            assertTrue(childStderr().contains("port " + port + " on 127.0.0.1 is in use"), childStderr());
        }
    }

    @Test
    void badCommandLineExitsTwo() throws Exception {
        Process broker = launch("--port");

        assertTrue(broker.waitFor(STOP_SECONDS, TimeUnit.SECONDS));
        assertEquals(2, broker.exitValue());
        assertTrue(childStderr().contains("usage:"), childStderr());
    }

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(CHILD_JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerMain.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(stdoutFile().toFile())
                .redirectError(stderrFile().toFile())
                .start();
    }

    /** Waits for the child's first complete line of standard output; null if it exits first. */
    private String awaitFirstLine(Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TestClients.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean alive = process.isAlive(); // before reading, so that no last line is missed
            String output = childOutput(stdoutFile());
            int end = output.indexOf('\n');
            if (end >= 0) {
                return output.substring(0, end);
            }
            if (!alive) {
                return null;
            }
            Thread.sleep(POLL_MILLIS);
        }
        throw new AssertionError("no output within " + TestClients.TIMEOUT + "; stderr: " + childStderr());
    }

    private Path stdoutFile() {
        return dir.resolve("broker-stdout.txt");
    }

    private Path stderrFile() {
        return dir.resolve("broker-stderr.txt");
    }

    private String childStderr() {
        return childOutput(stderrFile());
    }

    private static String childOutput(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
