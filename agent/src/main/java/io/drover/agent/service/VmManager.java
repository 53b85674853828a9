package io.drover.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.engine.Endpoint;
import io.drover.agent.engine.MigrationRun;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.kafka.AgentPublisher;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEndpoint;
import io.drover.agent.qmp.QmpException;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The VMs of one agent: definitions persisted under {@code <dataDir>/vms/<vmId>/vm.json}, QEMU
 * instances in {@code <dataDir>/vms/<vmId>/<instance>/} (through {@link QemuLauncher}), re-attached
 * after an agent restart, every QMP event published through {@link AgentPublisher#attach}.
 *
 * <p>At most one live QEMU per VM on a host: a VM whose QEMU runs is never started again.
 */
final class VmManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VmManager.class);

    /** QEMU creates its QMP socket within milliseconds of daemonizing; 10 s covers a loaded host. */
    static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A clean QEMU exit after SIGTERM takes well under a second; past this it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** query-status for a status report answers in milliseconds; a hung monitor must not stall heartbeats. */
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    /** Instance name of a VM booted here by start-vm. */
    static final String SOURCE_INSTANCE = "source";
    /** Instance name of a VM waiting for an incoming migration (prepare-incoming). */
    static final String INCOMING_INSTANCE = "incoming";
    static final String DEFINITION_FILE = "vm.json";
    static final String GUEST_IMAGE = "dirty-guest.img";
    static final String RETIRED_SUFFIX = ".retired";

    private final Path vmsDir;
    private final QemuLauncher launcher;
    private final AgentPublisher publisher;
    private final long capacityMiB;
    private final Map<String, ManagedVm> vms = new ConcurrentHashMap<>();

    VmManager(Path dataDir, QemuLauncher launcher, AgentPublisher publisher, long capacityMiB) {
        this.vmsDir = dataDir.resolve("vms");
        this.launcher = launcher;
        this.publisher = publisher;
        this.capacityMiB = capacityMiB;
    }

    /** The VM's directory: its definition, guest image, instance directories and migration phase. */
    Path vmDir(String vmId) {
        return vmsDir.resolve(vmId);
    }

    /** Directory the launcher puts instance directories under. */
    static Path vmsDir(Path dataDir) {
        return dataDir.resolve("vms");
    }

    /**
     * Loads every definition and re-attaches to each VM's QEMU that still runs (the agent
     * restarted while QEMU ran on). Returns how many QEMUs it re-attached to.
     */
    int recover() {
        int attached = 0;
        if (!Files.isDirectory(vmsDir)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(vmsDir)) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve(DEFINITION_FILE))).sorted().toList()) {
                VmDefinition def = Json.mapper().readValue(dir.resolve(DEFINITION_FILE).toFile(), VmDefinition.class);
                ManagedVm vm = new ManagedVm(def);
                vms.put(def.vmId(), vm);
                Optional<QemuProcess> live = liveInstance(dir);
                if (live.isPresent()) {
                    attach(vm, live.get());
                    attached++;
                    log.info("Re-attached to {}", live.get());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read VM definitions in " + vmsDir, e);
        }
        return attached;
    }

    /** The running QEMU among a VM's instance directories, if any. */
    private static Optional<QemuProcess> liveInstance(Path vmDir) throws IOException {
        try (Stream<Path> instances = Files.list(vmDir)) {
            List<QemuProcess> live = new ArrayList<>();
            for (Path inst : instances.filter(Files::isDirectory).toList()) {
                try {
                    QemuProcess p = QemuProcess.reattach(inst);
                    if (p.isAlive()) live.add(p);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    log.debug("{} holds no live QEMU: {}", inst, e.getMessage());
                }
            }
            if (live.size() > 1) {
                log.warn("VM {} has {} live QEMUs: {}; following the first", vmDir.getFileName(), live.size(), live);
            }
            return live.stream().min(Comparator.comparing(QemuProcess::instanceName));
        }
    }

    // ---- lifecycle --------------------------------------------------------------------------------

    /** Defines (and persists) a VM; refuses an id already defined or sizes that do not fit. */
    VmDefinition define(VmDefinition def) {
        return define(def, true);
    }

    /**
     * Like {@link #define(VmDefinition)}; with {@code durable} false the definition is written without its fsyncs,
     * and {@link #makeDurable} must follow: for a VM that arrives by migration, whose definition need only be on disk
     * by the time its destination reports prepared, not before its QEMU starts (the fsyncs took 3 to 10 ms there).
     */
    VmDefinition define(VmDefinition def, boolean durable) {
        if (vms.containsKey(def.vmId())) {
            throw new CommandRefused("VM '" + def.vmId() + "' is already defined on this host: " + vms.get(def.vmId()).definition);
        }
        AgentIds.requireValid("vmId", def.vmId());
        if (def.memoryMiB() > capacityMiB) {
            throw new CommandRefused("VM '" + def.vmId() + "' needs " + def.memoryMiB() + " MiB, more than the host's capacity of "
                    + capacityMiB + " MiB");
        }
        VmSpec spec;
        try {
            def.guest();
            spec = spec(def);
        } catch (IllegalArgumentException e) {
            throw new CommandRefused("VM '" + def.vmId() + "': " + e.getMessage());
        }
        Path dir = vmsDir.resolve(def.vmId());
        try {
            Files.createDirectories(dir);
            DirtyGuestImage.writeDiskImage(def.guest(), spec.diskImage());
            byte[] json = Json.mapper().writeValueAsBytes(def);
            if (durable) {
                AtomicFiles.write(dir.resolve(DEFINITION_FILE), json);
            } else {
                AtomicFiles.replace(dir.resolve(DEFINITION_FILE), json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot define VM " + def.vmId() + " in " + dir, e);
        }
        vms.put(def.vmId(), new ManagedVm(def));
        return def;
    }

    /** Writes a VM's definition again, durably: after {@link #define(VmDefinition, boolean)} without. */
    void makeDurable(String vmId) {
        ManagedVm vm = require(vmId);
        try {
            AtomicFiles.write(vmsDir.resolve(vmId).resolve(DEFINITION_FILE), Json.mapper().writeValueAsBytes(vm.definition));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the definition of VM " + vmId, e);
        }
    }

    /** Boots a defined VM (the dirty guest at its rate) in a SOURCE-role QEMU. */
    QemuProcess start(String vmId) {
        ManagedVm vm = require(vmId);
        requireNotRunning(vm);
        long used = vms.values().stream().filter(ManagedVm::isRunning).mapToLong(v -> v.definition.memoryMiB()).sum();
        if (used + vm.definition.memoryMiB() > capacityMiB) {
            throw new CommandRefused("VM '" + vmId + "' needs " + vm.definition.memoryMiB() + " MiB but only "
                    + (capacityMiB - used) + " MiB of the host's " + capacityMiB + " MiB are free");
        }
        return launch(vm, Role.SOURCE, SOURCE_INSTANCE);
    }

    /** Starts a QEMU for the VM in the given role and attaches to it; kills it again if attaching fails. */
    QemuProcess launch(ManagedVm vm, Role role, String instance) {
        QemuProcess p = launcher.start(spec(vm.definition), role, instance);
        try {
            attach(vm, p);
        } catch (RuntimeException e) {
            p.kill();
            throw e;
        }
        return p;
    }

    /** Stops the VM's QEMU: SIGTERM and a grace period, or SIGKILL at once when forced. */
    void stop(String vmId, boolean force) {
        ManagedVm vm = require(vmId);
        if (!vm.isRunning()) {
            throw new CommandRefused("VM '" + vmId + "' is not running on this host");
        }
        QemuProcess p = vm.process;
        detach(vm);
        if (force) {
            p.kill();
        } else {
            p.stop(STOP_GRACE);
        }
    }

    /** Forgets a VM that now lives on another host: its QEMU is stopped and its definition set aside. */
    void retire(String vmId) {
        ManagedVm vm = require(vmId);
        QemuProcess p = vm.process;
        detach(vm);
        if (p != null) {
            p.stop(STOP_GRACE);
        }
        Path def = vmsDir.resolve(vmId).resolve(DEFINITION_FILE);
        try {
            Files.move(def, def.resolveSibling(DEFINITION_FILE + RETIRED_SUFFIX), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set aside the definition of retired VM " + vmId, e);
        }
        vms.remove(vmId);
    }

    ManagedVm require(String vmId) {
        ManagedVm vm = vms.get(vmId);
        if (vm == null) {
            throw new CommandRefused("unknown VM '" + vmId + "' on this host: define it first (define-vm)");
        }
        return vm;
    }

    /** Every VM defined here. */
    List<ManagedVm> all() {
        return List.copyOf(vms.values());
    }

    Optional<ManagedVm> find(String vmId) {
        return Optional.ofNullable(vms.get(vmId));
    }

    static void requireNotRunning(ManagedVm vm) {
        if (vm.isRunning()) {
            throw new CommandRefused("VM '" + vm.vmId() + "' is already running on this host (" + vm.process + ")");
        }
    }

    /** The running VM's QMP connection; refuses a VM that does not run here. */
    static QmpClient qmp(ManagedVm vm) {
        QmpClient q = vm.qmp;
        if (!vm.isRunning() || q == null) {
            throw new CommandRefused("VM '" + vm.vmId() + "' is not running on this host");
        }
        return q;
    }

    /** Each VM and its state: QEMU's run state ({@code query-status}) when it runs, else "stopped". */
    List<HostStatus.VmState> list() {
        return vms.values().stream().sorted(Comparator.comparing(ManagedVm::vmId))
                .map(vm -> new HostStatus.VmState(vm.vmId(), state(vm), vm.definition.memoryMiB(), vm.definition.vcpus()))
                .toList();
    }

    /** The dialect of some running QEMU, if one runs. */
    Optional<Endpoint> anyEndpoint() {
        return vms.values().stream().filter(ManagedVm::isRunning).map(vm -> vm.endpoint).filter(e -> e != null).findFirst();
    }

    static String state(ManagedVm vm) {
        if (!vm.isRunning()) {
            return "stopped";
        }
        try {
            JsonNode s = vm.qmp.execute("query-status", null, STATUS_TIMEOUT);
            return s.path("status").asText("unknown");
        } catch (QmpException | IllegalStateException e) {
            return "unreachable";
        }
    }

    private void attach(ManagedVm vm, QemuProcess p) {
        QmpClient q = QmpClient.connect(new QmpEndpoint.Unix(p.qmpSocket()), QMP_CONNECT_TIMEOUT);
        try {
            vm.endpoint = Endpoint.of(p.instanceName(), q);
            vm.published = publisher.attach(vm.vmId(), p.instanceName(), q);
        } catch (RuntimeException e) {
            q.close();
            throw e;
        }
        vm.qmp = q;
        vm.process = p;
    }

    private static void detach(ManagedVm vm) {
        if (vm.published != null) {
            vm.published.close();
        }
        if (vm.qmp != null) {
            vm.qmp.close();
        }
        vm.published = null;
        vm.qmp = null;
        vm.endpoint = null;
        vm.process = null;
    }

    private VmSpec spec(VmDefinition def) {
        return new VmSpec(def.vmId(), def.memoryMiB(), def.vcpus(), vmsDir.resolve(def.vmId()).resolve(GUEST_IMAGE));
    }

    /** Lets go of every migration and closes every QMP connection; the QEMUs keep running for the next agent to re-attach. */
    @Override
    public void close() {
        for (ManagedVm vm : vms.values()) {
            MigrationRun run = vm.migration;
            if (run != null && !run.outcome().isDone()) {
                run.detach(); // no verdict: the next agent re-attaches from the phase file
            }
            detach(vm);
        }
    }
}
