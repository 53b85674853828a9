package io.drover.agent.local;

import io.drover.agent.net.FreePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.drover.agent.engine.Endpoint;
import io.drover.agent.engine.MigrationListener;
import io.drover.agent.engine.MigrationPhase;
import io.drover.events.MigrationPolicy;
import io.drover.agent.engine.MigrationRequest;
import io.drover.agent.engine.MigrationRun;
import io.drover.agent.guest.ConsistencyCheck;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEndpoint;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * A whole migration on one host: two real QEMUs (a source running the dirtying guest and a
 * destination started with {@code -incoming defer}), the engine between them, and the guest's
 * consistency check on the destination afterwards. Used by {@code drover local-migrate}, its
 * benchmark and the tests.
 */
public final class LocalMigration implements AutoCloseable {
    /** The guest's disk image, in the work directory; both QEMUs of a pair boot from it. */
    public static final String GUEST_IMAGE = "dirty-guest.img";
    /** QEMU creates its QMP socket within milliseconds of starting; 10 s covers a loaded CI host. */
    static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The boot sector prints its marker within a second of reset, even under TCG. */
    static final Duration GUEST_BOOT_TIMEOUT = Duration.ofSeconds(20);
    /** Marker the guest writes to its serial port once it runs (see dirty-guest.S). */
    static final String GUEST_UP_MARKER = DirtyGuestImage.SERIAL_BANNER.strip();

    private final Path workDir;
    private final QemuProcess source;
    private QemuProcess destination;
    private final QmpClient sourceQmp;
    private QmpClient destinationQmp;
    private final Endpoint sourceEnd;
    private Endpoint destinationEnd;
    private MigrationStateFile stateFile;

    private LocalMigration(Path workDir, QemuProcess source, QemuProcess destination, MigrationStateFile stateFile) {
        this.workDir = workDir;
        this.source = source;
        this.destination = destination;
        this.stateFile = stateFile;
        this.sourceQmp = QmpClient.connect(new QmpEndpoint.Unix(source.qmpSocket()), QMP_CONNECT_TIMEOUT);
        this.destinationQmp = QmpClient.connect(new QmpEndpoint.Unix(destination.qmpSocket()), QMP_CONNECT_TIMEOUT);
        this.sourceEnd = Endpoint.of(source.instanceName(), sourceQmp);
        this.destinationEnd = Endpoint.of(destination.instanceName(), destinationQmp);
    }

    /**
     * Boots a source VM with the dirtying guest and a destination waiting for it, and saves the
     * state file. Nothing migrates yet: call {@link #start}.
     */
    public static LocalMigration prepare(Path workDir, String vmId, int memoryMiB, int vcpus, DirtyGuestSpec guest,
                                         MigrationPolicy policy, Accel accel) {
        return prepare(workDir, vmId, memoryMiB, vcpus, guest, policy, accel, p -> { });
    }

    /**
     * As above; {@code started} hears of each QEMU as soon as it runs, so that a caller
     * interrupted while the guest boots can still stop it.
     */
    public static LocalMigration prepare(Path workDir, String vmId, int memoryMiB, int vcpus, DirtyGuestSpec guest,
                                         MigrationPolicy policy, Accel accel, java.util.function.Consumer<QemuProcess> started) {
        policy.validated();
        workDir = workDir.toAbsolutePath(); // a daemonized QEMU runs in /, so every path it sees is absolute
        try {
            Files.createDirectories(workDir);
            Path image = DirtyGuestImage.writeDiskImage(guest, workDir.resolve(GUEST_IMAGE));
            QemuLauncher launcher = new QemuLauncher(workDir.resolve("vms"), accel);
            VmSpec spec = new VmSpec(vmId, memoryMiB, vcpus, image);
            QemuProcess src = launcher.start(spec, Role.SOURCE, "source");
            started.accept(src);
            QemuProcess dst;
            try {
                dst = launcher.start(spec, Role.DESTINATION, "destination");
                started.accept(dst);
            } catch (RuntimeException e) {
                src.kill();
                throw e;
            }
            String uri = "tcp:127.0.0.1:" + FreePorts.loopback();
            var state = new MigrationStateFile.State(UUID.randomUUID().toString(), vmId, memoryMiB, vcpus, uri,
                    instanceDir(src), instanceDir(dst), guest, policy, accel.name().toLowerCase(), MigrationPhase.CONFIGURING);
            LocalMigration m;
            try {
                m = new LocalMigration(workDir, src, dst, MigrationStateFile.create(workDir, state));
                m.awaitGuestUp();
            } catch (RuntimeException e) {
                src.kill();
                dst.kill();
                throw e;
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Re-attaches to the QEMUs of a migration whose agent died, from the state file in {@code workDir}. */
    public static LocalMigration reattach(Path workDir) {
        workDir = workDir.toAbsolutePath();
        MigrationStateFile f = MigrationStateFile.load(workDir);
        var s = f.state();
        return new LocalMigration(workDir, QemuProcess.reattach(s.sourceDir()), QemuProcess.reattach(s.destinationDir()), f);
    }

    /**
     * Prepares another attempt after a failed or cancelled one: QEMU 7.2 exits a destination
     * whose incoming migration failed or was cancelled, so the retry gets a new destination
     * process (instance "destination-N"), a new port, a new migration id and the given policy.
     */
    public void retryWithNewDestination(MigrationPolicy policy) {
        policy.validated();
        var s = stateFile.state();
        if (!s.phase().isTerminal() || s.phase() == MigrationPhase.COMPLETED) {
            throw new IllegalStateException("only a failed or cancelled migration is retried; this one is " + s.phase());
        }
        destinationQmp.close();
        destination.stop(Duration.ofSeconds(5)); // already gone in QEMU 7.2; a no-op then
        Path vms = s.destinationDir().getParent().getParent();
        int attempt = 2;
        while (Files.exists(vms.resolve(s.vmId()).resolve("destination-" + attempt))) attempt++;
        QemuLauncher launcher = new QemuLauncher(vms, source.accel());
        VmSpec spec = new VmSpec(s.vmId(), s.memoryMiB(), s.vcpus(), workDir.resolve(GUEST_IMAGE));
        destination = launcher.start(spec, Role.DESTINATION, "destination-" + attempt);
        destinationQmp = QmpClient.connect(new QmpEndpoint.Unix(destination.qmpSocket()), QMP_CONNECT_TIMEOUT);
        destinationEnd = Endpoint.of(destination.instanceName(), destinationQmp);
        stateFile = MigrationStateFile.create(workDir, new MigrationStateFile.State(UUID.randomUUID().toString(),
                s.vmId(), s.memoryMiB(), s.vcpus(), "tcp:127.0.0.1:" + FreePorts.loopback(), s.sourceDir(), instanceDir(destination), s.guest(), policy,
                s.accel(), MigrationPhase.CONFIGURING));
    }

    public MigrationRun start(MigrationListener listener) {
        return MigrationRun.start(request(), listener, stateFile);
    }

    /** Follows the migration from the saved phase (after {@link #reattach}). */
    public MigrationRun resume(MigrationListener listener) {
        return MigrationRun.attach(request(), stateFile.state().phase(), listener, stateFile);
    }

    private MigrationRequest request() {
        var s = stateFile.state();
        return new MigrationRequest(s.migrationId(), s.vmId(), sourceEnd, destinationEnd, s.uri(), s.policy(), s.accel());
    }

    public MigrationStateFile.State state() {
        return stateFile.state();
    }

    public QemuProcess source() {
        return source;
    }

    public QemuProcess destination() {
        return destination;
    }

    public Endpoint sourceEndpoint() {
        return sourceEnd;
    }

    public Endpoint destinationEndpoint() {
        return destinationEnd;
    }

    /** Subscribes {@code sink} to every QMP event of both QEMUs, tagged "source" or "destination". */
    public void forEachEvent(BiConsumer<String, io.drover.agent.qmp.QmpEvent> sink) {
        sourceQmp.subscribe(e -> true, e -> sink.accept("source", e));
        destinationQmp.subscribe(e -> true, e -> sink.accept("destination", e));
    }

    /**
     * Checks the guest's memory where it runs after the migration (the destination if it
     * completed, else the source): pauses it, dumps RAM with {@code pmemsave}, resumes it.
     */
    public ConsistencyCheck.Result checkConsistency(MigrationOutcome outcome) {
        boolean onDestination = MigrationStatus.COMPLETED.equals(outcome.status());
        QmpClient qmp = onDestination ? destinationQmp : sourceQmp;
        DirtyGuestSpec guest = stateFile.state().guest();
        Path dump = workDir.resolve("memory-" + (onDestination ? "destination" : "source") + ".dump");
        var json = JsonNodeFactory.instance;
        qmp.execute("stop");
        try {
            qmp.execute("pmemsave", json.objectNode().put("val", 0).put("size", guest.endAddress())
                    .put("filename", dump.toString()), Duration.ofSeconds(60));
            return ConsistencyCheck.checkDump(dump, guest);
        } finally {
            qmp.execute("cont");
            try {
                Files.deleteIfExists(dump);
            } catch (IOException ignored) {
                // a leftover dump in the work dir is harmless
            }
        }
    }

    private void awaitGuestUp() {
        Instant deadline = Instant.now().plus(GUEST_BOOT_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Files.exists(source.serialLog()) && Files.readString(source.serialLog()).contains(GUEST_UP_MARKER)) {
                    return;
                }
                Thread.sleep(20);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the guest to boot");
            }
        }
        throw new IllegalStateException("the test guest did not boot within " + GUEST_BOOT_TIMEOUT.toSeconds()
                + " s (no " + GUEST_UP_MARKER + " on " + source.serialLog() + "); QEMU log: " + source.logTail(20));
    }

    private static Path instanceDir(QemuProcess p) {
        return p.pidFile().getParent();
    }

    /** Stops both QEMUs and closes the QMP connections. */
    @Override
    public void close() {
        sourceQmp.close();
        destinationQmp.close();
        source.stop(Duration.ofSeconds(5));
        destination.stop(Duration.ofSeconds(5));
    }

    /** Closes the QMP connections but leaves both QEMUs running (an agent going away). */
    public void detach() {
        sourceQmp.close();
        destinationQmp.close();
    }
}
