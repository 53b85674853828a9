package io.drover.agent.qmp;

import io.drover.agent.net.FreePorts;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, paused QEMU 7.2 ({@code -S}, no disks, 64 MiB) with its QMP monitor on a unix or TCP
 * socket, started as a child process. Close it in {@code @AfterEach}: it kills the process.
 */
final class QemuUnderTest implements AutoCloseable {

    /** The transports a test can put the QMP monitor on. */
    enum Transport { UNIX, TCP }

    static final String QEMU = "/usr/bin/qemu-system-x86_64";
    /** The guest name, which {@code query-name} returns. */
    static final String VM_NAME = "drover-qmp-test";
    /** QEMU starts in well under a second; this allows for a loaded CI host. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /** Per-attempt connect timeout while waiting for QEMU to listen. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final long RETRY_MILLIS = 50;
    /** How long to wait for a killed QEMU to be reaped. */
    private static final long REAP_SECONDS = 10;

    private final Process process;
    private final QmpEndpoint endpoint;
    private final Path log;

    private QemuUnderTest(Process process, QmpEndpoint endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** Starts QEMU with its monitor on {@code transport}; {@code dir} holds the socket and the log. */
    static QemuUnderTest start(Transport transport, Path dir) throws IOException {
        QmpEndpoint endpoint = transport == Transport.UNIX
                ? new QmpEndpoint.Unix(dir.resolve("qmp.sock"))
                : new QmpEndpoint.Tcp("127.0.0.1", FreePorts.loopback());
        // An endpoint's toString is QEMU's own chardev syntax: unix:PATH or tcp:HOST:PORT.
        String monitor = endpoint + ",server=on,wait=off";
        List<String> command = new ArrayList<>(List.of(QEMU, "-M", "q35", "-nodefaults", "-display", "none",
                "-m", "64", "-accel", accelerator(), "-name", VM_NAME, "-qmp", monitor, "-S"));
        Path log = Files.createTempFile(dir, "qemu", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new QemuUnderTest(process, endpoint, log);
    }

    /** KVM when /dev/kvm can be opened, else TCG (slower, but QMP behaves the same). */
    static String accelerator() {
        try {
            new RandomAccessFile("/dev/kvm", "rw").close();
            return "kvm";
        } catch (IOException e) {
            return "tcg";
        }
    }

    QmpEndpoint endpoint() {
        return endpoint;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Connects a client, retrying until QEMU listens. */
    QmpClient connect() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("QEMU exited with " + process.exitValue() + ": " + log());
            }
            try {
                return QmpClient.connect(endpoint, ATTEMPT_TIMEOUT);
            } catch (QmpConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("QEMU's QMP never answered; log: " + log(), e);
                }
                sleep(RETRY_MILLIS);
            }
        }
    }

    /** Freezes the whole QEMU process with SIGSTOP: its monitor stops answering. */
    void freeze() {
        signal("STOP");
    }

    /** Resumes a frozen QEMU with SIGCONT. */
    void thaw() {
        signal("CONT");
    }

    /** Kills QEMU with SIGKILL (works on a frozen process too) and waits until it is gone. */
    void killHard() {
        signal("KILL");
        reap();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL: no need to thaw a frozen QEMU first
            reap();
        }
    }

    private void reap() {
        try {
            if (!process.waitFor(REAP_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("QEMU " + pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
