package io.drover.agent.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts daemonized QEMU instances of VMs, one directory per instance under
 * {@code <workDir>/<vmId>/<instanceName>/} (see {@link QemuProcess} for its files).
 *
 * <p>Every instance of a VM gets the same device model, whatever its {@link Role}, because a
 * migration destination must match its source: a pinned machine type and CPU model, the
 * {@link VmSpec}'s memory and vCPUs, and one IDE disk, a private copy of the base image (QEMU's
 * image locking refuses two instances one image). QEMU daemonizes, so it outlives an agent restart
 * ({@link QemuProcess#reattach}), and logs to a {@code -D} file, without which a daemonized QEMU's
 * error messages are lost.
 */
public final class QemuLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(QemuLauncher.class);

    /** The QEMU system emulator, looked up on the PATH. */
    static final String QEMU_BINARY = "qemu-system-x86_64";

    /**
     * Machine type, pinned to QEMU 7.2's i440fx model: the alias "pc" follows the QEMU version,
     * so hosts on different QEMU builds would disagree on the device model and refuse the migration.
     */
    public static final String MACHINE_TYPE = "pc-i440fx-7.2";

    /**
     * CPU model, pinned: qemu64 runs under both KVM and TCG on any x86-64 host, whereas "host"
     * exposes the host's CPU and breaks migration between different CPUs.
     */
    public static final String CPU_MODEL = "qemu64";

    /**
     * How long QEMU may take to initialise before its daemonizing parent exits: generous, because
     * under nested KVM on a loaded host start-up takes seconds.
     */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Longest unix socket path Linux accepts: sun_path holds 108 bytes including the final NUL. */
    static final int MAX_UNIX_SOCKET_PATH_BYTES = 107;

    private static final Pattern VERSION_PATTERN = Pattern.compile("QEMU emulator version (\\d+\\.\\d+\\.\\d+)");

    private final Path workDir;
    private final Accel accel;
    private final List<String> extraArgs;

    /**
     * Creates a launcher that puts instance directories under {@code workDir} and runs QEMU
     * under {@code accel} (see {@link Accel#detect()}).
     */
    public QemuLauncher(Path workDir, Accel accel) {
        this(workDir, accel, List.of());
    }

    /** As {@link #QemuLauncher(Path, Accel)}, adding {@code extraArgs} to every command line (for tests). */
    QemuLauncher(Path workDir, Accel accel, List<String> extraArgs) {
        this.workDir = workDir.toAbsolutePath().normalize();
        this.accel = accel;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** The directory holding one subdirectory per VM. */
    public Path workDir() {
        return workDir;
    }

    /** The accelerator every instance runs under. */
    public Accel accel() {
        return accel;
    }

    /**
     * Starts a QEMU instance of {@code spec} in {@code <workDir>/<vmId>/<instanceName>/} and returns
     * once QEMU has initialised and daemonized: a {@link Role#SOURCE} boots the guest, a
     * {@link Role#DESTINATION} waits in state "inmigrate" for QMP {@code migrate-incoming}.
     * QMP is then available on {@link QemuProcess#qmpSocket()}.
     *
     * @param instanceName names the instance within the VM, {@code [A-Za-z0-9._-]{1,64}}
     * @throws IllegalArgumentException if the instance name or base image is invalid, or the paths too long
     * @throws IllegalStateException if that instance is already running
     * @throws QemuLaunchException if QEMU fails to start; the message holds QEMU's error text
     * @throws UncheckedIOException if the instance directory cannot be prepared
     */
    public QemuProcess start(VmSpec spec, Role role, String instanceName) {
        VmSpec.requireValidId("instanceName", instanceName);
        if (!Files.isRegularFile(spec.diskImage())) {
            throw new IllegalArgumentException("base disk image " + spec.diskImage() + " of VM " + spec.vmId()
                    + " is not a readable file");
        }
        InstanceDir dir = new InstanceDir(workDir.resolve(spec.vmId()).resolve(instanceName));
        requireSocketPathFits(dir.qmpSocket());
        requireNotRunning(dir);
        prepare(dir, spec.diskImage());

        List<String> command = commandLine(spec, role, dir);
        LOG.info("Starting QEMU for VM {} instance {} as {} under {}: {}", spec.vmId(), instanceName, role,
                accel, String.join(" ", command));
        int exitCode = runUntilDaemonized(command, dir);
        if (exitCode != 0) {
            throw new QemuLaunchException(String.format("QEMU failed to start VM %s instance %s (exit code %d)",
                    spec.vmId(), instanceName, exitCode), qemuOutput(dir));
        }
        QemuProcess process = attachStarted(dir, role);
        LOG.info("Started {} in {}", process, dir.path());
        return process;
    }

    /**
     * Returns the version of the installed QEMU, e.g. "7.2.22", from {@code qemu-system-x86_64 --version}.
     *
     * @throws IllegalStateException if QEMU does not run or its answer has no version
     */
    public static String qemuVersion() {
        String output;
        try {
            Process process = new ProcessBuilder(QEMU_BINARY, "--version").redirectErrorStream(true).start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + QEMU_BINARY + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + QEMU_BINARY + " --version", e);
        }
        Matcher matcher = VERSION_PATTERN.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no version in the output of " + QEMU_BINARY + " --version: " + output);
        }
        return matcher.group(1);
    }

    /** The QEMU command line for an instance; identical for both roles but for {@code -incoming defer}. */
    List<String> commandLine(VmSpec spec, Role role, InstanceDir dir) {
        List<String> command = new ArrayList<>(List.of(
                QEMU_BINARY,
                "-name", spec.vmId() + ",debug-threads=on",
                "-machine", MACHINE_TYPE,
                "-accel", accel.qemuName(),
                "-cpu", CPU_MODEL,
                "-m", spec.memoryMiB() + "M",
                "-smp", Integer.toString(spec.vcpus()),
                "-nodefaults",
                "-no-user-config",
                "-display", "none",
                "-drive", "file=" + optionValue(dir.disk()) + ",format=raw,if=ide,index=0,media=disk",
                "-serial", "file:" + optionValue(dir.serialLog()),
                "-qmp", "unix:" + optionValue(dir.qmpSocket()) + ",server=on,wait=off",
                "-pidfile", dir.pidFile().toString(),
                "-D", dir.logFile().toString(),
                "-msg", "timestamp=on",
                "-daemonize"));
        if (role == Role.DESTINATION) {
            command.addAll(List.of("-incoming", "defer"));
        }
        command.addAll(extraArgs);
        return command;
    }

    /** Escapes a path for a QEMU option value, where a comma separates options and ",," is a comma. */
    private static String optionValue(Path path) {
        return path.toString().replace(",", ",,");
    }

    private static void requireSocketPathFits(Path socket) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_UNIX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException(String.format(
                    "QMP socket path %s is %d bytes, over the %d-byte limit of unix socket paths: use a shorter workDir",
                    socket, length, MAX_UNIX_SOCKET_PATH_BYTES));
        }
    }

    private static void requireNotRunning(InstanceDir dir) {
        if (Files.exists(dir.metadataFile())) {
            QemuProcess previous = QemuProcess.reattach(dir.path());
            if (previous.isAlive()) {
                throw new IllegalStateException("instance " + dir.path() + " is already running: " + previous);
            }
        }
    }

    /** Creates the instance directory, clears a previous run's state files and copies the base image. */
    private static void prepare(InstanceDir dir, Path baseImage) {
        try {
            Files.createDirectories(dir.path());
            for (Path stale : List.of(dir.pidFile(), dir.qmpSocket(), dir.metadataFile(), dir.consoleFile())) {
                Files.deleteIfExists(stale);
            }
            Files.copy(baseImage, dir.disk(), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare instance directory " + dir.path(), e);
        }
    }

    /** Runs QEMU and waits for its daemonizing parent to exit; returns the parent's exit code. */
    private static int runUntilDaemonized(List<String> command, InstanceDir dir) {
        Process parent;
        try {
            parent = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.consoleFile().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new QemuLaunchException("cannot run " + QEMU_BINARY + ": " + e.getMessage(), "");
        }
        try {
            if (!parent.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                parent.destroyForcibly();
                killStartedDaemon(dir);
                throw new QemuLaunchException("QEMU did not finish starting within " + START_TIMEOUT, qemuOutput(dir));
            }
            return parent.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            parent.destroyForcibly();
            killStartedDaemon(dir);
            throw new QemuLaunchException("interrupted while QEMU was starting", qemuOutput(dir));
        }
    }

    /** Kills the daemon of a start that is being abandoned, if it got as far as its pidfile. */
    private static void killStartedDaemon(InstanceDir dir) {
        QemuProcess.readPidFile(dir).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private QemuProcess attachStarted(InstanceDir dir, Role role) {
        long pid = QemuProcess.readPidFile(dir).orElseThrow(() -> new QemuLaunchException(
                "QEMU reported success but wrote no pidfile " + dir.pidFile(), qemuOutput(dir)));
        ProcStat stat = ProcStat.read(pid).filter(s -> !s.hasExited()).orElseThrow(() -> new QemuLaunchException(
                "QEMU pid " + pid + " exited right after starting", qemuOutput(dir)));
        QemuProcess process = new QemuProcess(dir, role, accel, pid, stat.startTime());
        process.writeMetadata();
        return process;
    }

    /** What QEMU said: its console output before daemonizing, then its -D log (where it also logs start-up errors). */
    private static String qemuOutput(InstanceDir dir) {
        return (QemuProcess.tail(dir.consoleFile(), Integer.MAX_VALUE) + "\n"
                + QemuProcess.tail(dir.logFile(), Integer.MAX_VALUE)).strip();
    }
}
