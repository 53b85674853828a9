package io.drover.agent.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemonized QEMU instance started by {@link QemuLauncher}, or found again with
 * {@link #reattach} by an agent restarted while QEMU ran on.
 *
 * <p>The process is identified by its pid and its start time, so a reused pid is never mistaken
 * for it. It counts as alive until it exits: a zombie (exited but not reaped, which is what
 * a daemonized QEMU becomes under a PID 1 that does not reap) is dead.
 */
public final class QemuProcess {

    private static final Logger LOG = LoggerFactory.getLogger(QemuProcess.class);

    /** How long to wait for the kernel to finish off a process after SIGKILL. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** How often to look at /proc while waiting for an exit: cheap, and fine-grained enough for tests. */
    private static final Duration EXIT_POLL_INTERVAL = Duration.ofMillis(20);

    private static final String KEY_VM_ID = "vmId";
    private static final String KEY_INSTANCE = "instanceName";
    private static final String KEY_ROLE = "role";
    private static final String KEY_ACCEL = "accel";
    private static final String KEY_PID = "pid";
    private static final String KEY_START_TIME = "startTime";

    private final InstanceDir dir;
    private final Role role;
    private final Accel accel;
    private final long pid;
    private final long startTime;

    QemuProcess(InstanceDir dir, Role role, Accel accel, long pid, long startTime) {
        this.dir = dir;
        this.role = role;
        this.accel = accel;
        this.pid = pid;
        this.startTime = startTime;
    }

    /**
     * Finds the QEMU instance whose directory is {@code instanceDir} (as made by {@link QemuLauncher}),
     * for an agent restarted while QEMU ran on. The result reports {@link #isAlive()} false if the
     * QEMU has exited meanwhile.
     *
     * @throws IllegalArgumentException if the directory holds no instance Drover started
     * @throws IllegalStateException if QEMU's pidfile names a different process than Drover recorded
     */
    public static QemuProcess reattach(Path instanceDir) {
        InstanceDir dir = new InstanceDir(instanceDir);
        Properties metadata = new Properties();
        try (var in = Files.newInputStream(dir.metadataFile())) {
            metadata.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(instanceDir + " is not a QEMU instance directory: no " + e.getFile(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.metadataFile(), e);
        }
        long pid = Long.parseLong(metadata.getProperty(KEY_PID));
        readPidFile(dir).ifPresent(pidFromFile -> {
            if (pidFromFile != pid) {
                throw new IllegalStateException(String.format(
                        "%s names pid %d but Drover started pid %d there", dir.pidFile(), pidFromFile, pid));
            }
        });
        QemuProcess process = new QemuProcess(dir,
                Role.valueOf(metadata.getProperty(KEY_ROLE)),
                Accel.valueOf(metadata.getProperty(KEY_ACCEL)),
                pid,
                Long.parseLong(metadata.getProperty(KEY_START_TIME)));
        LOG.info("Reattached to QEMU pid {} of VM {} instance {} ({}, {}): {}", pid, process.vmId(),
                process.instanceName(), process.role, process.accel, process.isAlive() ? "alive" : "exited");
        return process;
    }

    /** The VM's id. */
    public String vmId() {
        return dir.vmId();
    }

    /** The instance's name, unique within the VM. */
    public String instanceName() {
        return dir.instanceName();
    }

    /** Whether the instance was started as a migration source or destination. */
    public Role role() {
        return role;
    }

    /** The accelerator QEMU runs under. */
    public Accel accel() {
        return accel;
    }

    /** QEMU's process id. */
    public long pid() {
        return pid;
    }

    /** The instance directory. */
    public Path instanceDir() {
        return dir.path();
    }

    /** The QMP unix socket. */
    public Path qmpSocket() {
        return dir.qmpSocket();
    }

    /** QEMU's {@code -D} log, where a daemonized QEMU writes its errors. */
    public Path logFile() {
        return dir.logFile();
    }

    /** QEMU's pidfile. */
    public Path pidFile() {
        return dir.pidFile();
    }

    /** What the guest wrote to its first serial port. */
    public Path serialLog() {
        return dir.serialLog();
    }

    /** The instance's own copy of the base disk image. */
    public Path diskCopy() {
        return dir.disk();
    }

    /** True while the QEMU process exists and has not exited; false for a zombie or a reused pid. */
    public boolean isAlive() {
        return ProcStat.read(pid)
                .filter(stat -> stat.startTime() == startTime && !stat.hasExited())
                .isPresent();
    }

    /** The last {@code lines} lines of QEMU's {@code -D} log (empty if there is none), for error messages. */
    public String logTail(int lines) {
        return tail(dir.logFile(), lines);
    }

    /**
     * Stops QEMU: SIGTERM (QEMU then exits cleanly), up to {@code grace} to exit, then SIGKILL.
     * Does nothing if QEMU is not alive, so it may be called any number of times.
     *
     * @throws IllegalStateException if QEMU survives SIGKILL
     */
    public void stop(Duration grace) {
        if (!isAlive()) {
            return;
        }
        LOG.info("Stopping QEMU pid {} of VM {} instance {} (SIGTERM, grace {})", pid, vmId(), instanceName(), grace);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        if (!awaitExit(grace)) {
            LOG.warn("QEMU pid {} still runs {} after SIGTERM: killing it", pid, grace);
            kill();
        }
    }

    /**
     * Kills QEMU with SIGKILL and waits for it to exit. Does nothing if QEMU is not alive.
     *
     * @throws IllegalStateException if QEMU survives SIGKILL
     */
    public void kill() {
        if (!isAlive()) {
            return;
        }
        LOG.info("Killing QEMU pid {} of VM {} instance {}", pid, vmId(), instanceName());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (!awaitExit(KILL_WAIT)) {
            throw new IllegalStateException("QEMU pid " + pid + " still runs " + KILL_WAIT + " after SIGKILL");
        }
    }

    @Override
    public String toString() {
        return String.format("QEMU pid %d (VM %s instance %s, %s, %s)", pid, vmId(), instanceName(), role, accel);
    }

    /** Records what {@link #reattach} needs in the instance directory. */
    void writeMetadata() {
        Properties metadata = new Properties();
        metadata.setProperty(KEY_VM_ID, vmId());
        metadata.setProperty(KEY_INSTANCE, instanceName());
        metadata.setProperty(KEY_ROLE, role.name());
        metadata.setProperty(KEY_ACCEL, accel.name());
        metadata.setProperty(KEY_PID, Long.toString(pid));
        metadata.setProperty(KEY_START_TIME, Long.toString(startTime));
        try (OutputStream out = Files.newOutputStream(dir.metadataFile())) {
            metadata.store(out, "Drover QEMU instance");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.metadataFile(), e);
        }
    }

    /** Reads a pid from QEMU's pidfile; empty if there is none (QEMU deletes it when it exits cleanly). */
    static OptionalLong readPidFile(InstanceDir dir) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(dir.pidFile()).trim()));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.pidFile(), e);
        }
    }

    /** The last {@code lines} lines of a text file, or "" if it does not exist. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(EXIT_POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isAlive();
            }
        }
        return true;
    }
}
