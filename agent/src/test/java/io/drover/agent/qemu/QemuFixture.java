package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts QEMU instances for a test and kills every one of them in {@link #close()} (call it from
 * {@code @AfterEach}).
 */
public final class QemuFixture implements AutoCloseable {

    /** How long a guest may take to print on its serial port: KVM boots take seconds on a nested, loaded host. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    private final QemuLauncher launcher;
    private final List<QemuProcess> started = new ArrayList<>();

    public QemuFixture(Path workDir, Accel accel) {
        this(new QemuLauncher(workDir, accel));
    }

    QemuFixture(QemuLauncher launcher) {
        this.launcher = launcher;
    }

    public QemuLauncher launcher() {
        return launcher;
    }

    /** Starts an instance and remembers it for {@link #close()}. */
    public QemuProcess start(VmSpec spec, Role role, String instanceName) {
        QemuProcess process = launcher.start(spec, role, instanceName);
        track(process);
        return process;
    }

    /** Remembers a process (e.g. a reattached one) for {@link #close()}. */
    public QemuProcess track(QemuProcess process) {
        started.add(process);
        return process;
    }

    /** Waits until the guest's serial log contains {@code text}; fails with QEMU's log otherwise. */
    public static void awaitSerial(QemuProcess process, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (Files.exists(process.serialLog())
                    && Files.readString(process.serialLog(), StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                fail(process + " died before printing " + text.strip() + ": " + process.logTail(20));
            }
            Thread.sleep(50);
        }
        fail(process + " printed no " + text.strip() + " within " + BOOT_TIMEOUT + ": " + process.logTail(20));
    }

    /** Kills every instance started or tracked. */
    @Override
    public void close() {
        for (QemuProcess process : started) {
            process.kill();
        }
        started.clear();
    }
}
