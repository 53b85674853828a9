package io.drover.agent.service;

import io.drover.agent.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.engine.MigrationListener;
import io.drover.agent.engine.MigrationPhase;
import io.drover.agent.engine.MigrationRequest;
import io.drover.agent.engine.MigrationRun;
import io.drover.agent.kafka.AgentPublisher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qmp.QmpClient;
import io.drover.events.AgentCommand;
import io.drover.agent.engine.Side;
import io.drover.events.Json;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The migration commands of one agent. The destination side ({@code prepare-incoming}) starts a
 * QEMU waiting for the VM and readies it through {@link MigrationRun#prepareIncoming}; the source
 * side ({@code start-migration}) runs a {@link MigrationRequest#sourceOnly} engine run that follows
 * the source, publishes its samples and outcome, and takes {@code tune-}/{@code cancel-migration}.
 */
final class MigrationCommands {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MigrationCommands.class);
    private final VmManager vms;
    private final AgentPublisher publisher;
    private final AgentConfig config;
    private final Consumer<String> status;

    private final Runnable vmsChanged;
    private final java.util.function.BiConsumer<java.time.Duration, Runnable> later;

    /**
     * @param vmsChanged called when a VM changed outside a command (an incoming migration ended): a heartbeat
     * @param later      runs a chore on the command thread after a delay
     */
    MigrationCommands(VmManager vms, AgentPublisher publisher, AgentConfig config, Consumer<String> status, Runnable vmsChanged,
                      java.util.function.BiConsumer<java.time.Duration, Runnable> later) {
        this.vms = vms;
        this.publisher = publisher;
        this.config = config;
        this.status = status;
        this.vmsChanged = vmsChanged;
        this.later = later;
    }

    /** Destination: a QEMU for the VM with the same configuration, readied, listening on a free port of the advertised address. */
    JsonNode prepareIncoming(AgentCommand.PrepareIncoming c) {
        ManagedVm vm = vms.find(c.vmId()).orElse(null);
        if (vm != null && vm.isRunning() && isIncomingFor(vm, c.migrationId())) {
            // Done before, by an agent that stopped before it recorded the result (the journal keeps no "begun" entry
            // for this command: it is idempotent by what runs here): the same answer, or a fresh start after an
            // attempt that stopped before its QEMU listened.
            Optional<JsonNode> listening = stillListening(c);
            if (listening.isPresent()) {
                return listening.get();
            }
            log.warn("stopping the incoming QEMU of VM {} that an interrupted prepare for migration {} left not listening",
                    c.vmId(), c.migrationId());
            vms.stop(c.vmId(), true);
        }
        if (vm == null) {
            // Written durably once the source has the uri (prepared, below), off the path to migrate.
            vms.define(new VmDefinition(c.vmId(), c.memoryMiB(), c.vcpus(), VmDefinition.IDLE), false);
            vm = vms.require(c.vmId());
        } else if (vm.definition.memoryMiB() != c.memoryMiB() || vm.definition.vcpus() != c.vcpus()) {
            throw new CommandRefused("VM '" + c.vmId() + "' is defined here with " + vm.definition.memoryMiB() + " MiB and "
                    + vm.definition.vcpus() + " vCPUs, but migration " + c.migrationId() + " brings " + c.memoryMiB()
                    + " MiB and " + c.vcpus() + " vCPUs");
        }
        VmManager.requireNotRunning(vm);
        String uri = "tcp:" + uriHost(config.advertiseAddress()) + ":" + FreePorts.on(config.advertiseAddress());
        MigrationPolicy policy = policy(c.policy());
        writeIncomingNote(c.vmId(), new IncomingNote(c.migrationId(), uri));
        QemuProcess p = vms.launch(vm, Role.DESTINATION, VmManager.INCOMING_INSTANCE);
        try {
            reportIncomingEnd(vm, c.migrationId());
            MigrationRun.prepareIncoming(vm.endpoint, policy, uri);
        } catch (RuntimeException e) {
            vms.stop(c.vmId(), true);
            throw e;
        }
        later.accept(config.incomingLease(), () -> expireIncoming(c.vmId(), c.migrationId(), p.pid()));
        return CommandExecutor.object().put("uri", uri).put("pid", p.pid());
    }

    /**
     * After a prepare-incoming succeeded and its uri went to the source: the VM's definition on disk for good, before
     * the coordinator hears the destination is prepared. A definition written durably already is written again (a
     * few ms, off the path).
     */
    void prepared(AgentCommand.PrepareIncoming c) {
        vms.makeDurable(c.vmId());
    }

    /**
     * The lease of an incoming QEMU ran out ({@link AgentConfig#incomingLease()}): if it still waits for its source
     * (no migration has reached it: query-migrate says none or setup), nobody will come, and it is stopped.
     */
    void expireIncoming(String vmId, String migrationId, long pid) {
        ManagedVm vm = vms.find(vmId).orElse(null);
        if (vm == null || !vm.isRunning() || vm.process.pid() != pid) {
            return; // stopped, retired or replaced meanwhile
        }
        String state = VmManager.qmp(vm).execute("query-migrate").path("status").asText("none");
        if (!state.equals("none") && !state.equals("setup")) {
            return; // a source connected: the migration is on or over
        }
        vms.stop(vmId, true);
        log.warn("stopped the incoming QEMU of VM {} (migration {}): no source connected within {}", vmId, migrationId,
                config.incomingLease());
        status.accept("stopped the incoming QEMU of " + vmId + " for migration " + migrationId + ": no source connected within "
                + config.incomingLease().toSeconds() + " s");
        vmsChanged.run();
    }

    /** Which migration a VM's incoming QEMU was started for, and where it listens: {@code <vmDir>/incoming.json}. */
    record IncomingNote(@com.fasterxml.jackson.annotation.JsonProperty("migrationId") String migrationId,
                        @com.fasterxml.jackson.annotation.JsonProperty("uri") String uri) {
    }

    static final String INCOMING_NOTE = "incoming.json";

    /**
     * Written before the incoming QEMU starts, and not fsync'd: it only serves an agent restarted while the QEMU it
     * started lives on (the page cache keeps the note then); a host that crashed lost the QEMU with it.
     */
    private void writeIncomingNote(String vmId, IncomingNote note) {
        try {
            Files.write(vms.vmDir(vmId).resolve(INCOMING_NOTE), Json.mapper().writeValueAsBytes(note));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the incoming note of VM " + vmId, e);
        }
    }

    /**
     * For a prepare-incoming the agent was interrupted in: its answer, if the QEMU it started for this migration lives
     * on (re-attached at start) and listens or already receives; empty otherwise.
     */
    Optional<JsonNode> stillListening(AgentCommand.PrepareIncoming c) {
        ManagedVm vm = vms.find(c.vmId()).orElse(null);
        if (vm == null || !vm.isRunning() || !isIncomingFor(vm, c.migrationId())) {
            return Optional.empty();
        }
        IncomingNote note = incomingNote(c.vmId()).orElseThrow();
        JsonNode m = VmManager.qmp(vm).execute("query-migrate");
        String status = m.path("status").asText("");
        if (!m.has("socket-address") && (status.isEmpty() || status.equals("failed") || status.equals("cancelled"))) {
            return Optional.empty(); // neither listening nor receiving
        }
        reportIncomingEnd(vm, c.migrationId());
        long pid = vm.process.pid();
        later.accept(config.incomingLease(), () -> expireIncoming(c.vmId(), c.migrationId(), pid));
        return Optional.of(CommandExecutor.object().put("uri", note.uri()).put("pid", pid).put("recovered", true));
    }

    /** Whether the VM's running QEMU is a destination started for {@code migrationId} (its incoming note says so). */
    private boolean isIncomingFor(ManagedVm vm, String migrationId) {
        return vm.process != null && vm.process.role() == Role.DESTINATION
                && incomingNote(vm.vmId()).map(n -> n.migrationId().equals(migrationId)).orElse(false);
    }

    private Optional<IncomingNote> incomingNote(String vmId) {
        try {
            return Optional.of(Json.mapper().readValue(Files.readAllBytes(vms.vmDir(vmId).resolve(INCOMING_NOTE)), IncomingNote.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** How long a destination whose incoming migration completed may take to run the guest before it is reported. */
    static final java.time.Duration RUNNING_WAIT = java.time.Duration.ofSeconds(5);
    /** Reports the end of incoming migrations off the QMP callback thread (which must not wait on QMP replies). */
    private final java.util.concurrent.Executor incomingReports = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "incoming-migration-report");
        t.setDaemon(true);
        return t;
    });

    /**
     * When the incoming QEMU reports the migration completed and its guest runs, publishes the destination's
     * {@code query-migrate} as a DESTINATION sample: the coordinator takes it as the destination confirming the
     * guest, without waiting for the source's verdict to travel and a query to come back (and even when the source
     * host is gone by then). A failed incoming migration is published as well; the source reports its own verdict.
     */
    private void reportIncomingEnd(ManagedVm vm, String migrationId) {
        QmpClient qmp = VmManager.qmp(vm);
        java.util.concurrent.atomic.AtomicReference<io.drover.agent.qmp.Subscription> sub = new java.util.concurrent.atomic.AtomicReference<>();
        // QEMU resumes an incoming guest (RESUME) before it reports the migration completed: when the last run-state
        // event seen is RESUME, the guest runs and need not be asked about (a post-copy guest runs before the end).
        java.util.concurrent.atomic.AtomicBoolean resumed = new java.util.concurrent.atomic.AtomicBoolean();
        sub.set(qmp.subscribe(e -> e.name().equals("MIGRATION") || e.name().equals("RESUME") || e.name().equals("STOP"), e -> {
            if (!e.name().equals("MIGRATION")) {
                resumed.set(e.name().equals("RESUME"));
                return;
            }
            MigrationStatus s = MigrationStatus.of(e.data().path("status").asText());
            if (!s.isTerminal()) {
                return;
            }
            io.drover.agent.qmp.Subscription mine = sub.getAndSet(null);
            if (mine == null) {
                return;
            }
            mine.close();
            if (s.equals(MigrationStatus.COMPLETED) && resumed.get()) {
                // The common end, published at once from here: the guest runs, and an incoming QEMU's query-migrate
                // would say no more than "completed" (QEMU 7.2's fill_destination_migration_info adds only the
                // post-copy blocktime, a capability Drover does not turn on). The coordinator and whoever waits on it
                // hear it a QMP round trip and a thread hand-off sooner.
                publisher.forMigration(vm.vmId(), migrationId).onSample(Side.DESTINATION, MigrationInfo.ofStatus(s, null));
                log.debug("incoming migration {} of {}: reported completed (guest running)", migrationId, vm.vmId());
                incomingReports.execute(vmsChanged);
                return;
            }
            incomingReports.execute(() -> publishIncomingEnd(vm, qmp, migrationId, s, resumed.get()));
        }));
    }

    private void publishIncomingEnd(ManagedVm vm, QmpClient qmp, String migrationId, MigrationStatus status, boolean resumed) {
        try {
            long deadline = System.nanoTime() + RUNNING_WAIT.toNanos();
            boolean running = resumed;
            while (status.equals(MigrationStatus.COMPLETED) && !running
                    && !(running = qmp.execute("query-status").path("running").asBoolean(false))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (status.equals(MigrationStatus.COMPLETED) && !running) {
                log.warn("incoming migration {} of {} completed but the guest does not run after {}; not reported",
                        migrationId, vm.vmId(), RUNNING_WAIT);
                return;
            }
            MigrationInfo info = Json.mapper().treeToValue(qmp.execute("query-migrate"), MigrationInfo.class);
            publisher.forMigration(vm.vmId(), migrationId).onSample(Side.DESTINATION, info);
            log.debug("incoming migration {} of {}: reported {} (guest running: {})", migrationId, vm.vmId(), status.raw(), running);
            vmsChanged.run();
        } catch (Exception e) {
            log.warn("could not report the end of incoming migration {} of {}: {}", migrationId, vm.vmId(), e.toString());
        }
    }

    /** Source: configures and migrates to the URI the destination's agent gave, and follows the source to its verdict. */
    /** Configuring QEMU for a migration takes milliseconds; past this, start-migration answers anyway. */
    static final java.time.Duration MIGRATE_ISSUED_TIMEOUT = java.time.Duration.ofSeconds(30);

    JsonNode startMigration(AgentCommand.StartMigration c) {
        ManagedVm vm = vms.require(c.vmId());
        VmManager.qmp(vm);
        refuseIfCancelledHere(c.migrationId());
        MigrationRun current = vm.migration;
        if (current != null && !current.outcome().isDone()) {
            throw new CommandRefused("VM '" + c.vmId() + "' is already migrating (migration "
                    + current.request().migrationId() + ", phase " + current.phase() + ")");
        }
        // Armed (no uri): the destination may have told this host it listens before the coordinator armed it.
        String uri = c.uri() != null ? c.uri() : readyUris.remove(c.migrationId());
        MigrationRequest req;
        try {
            req = MigrationRequest.sourceOnly(c.migrationId(), c.vmId(), vm.endpoint, uri, policy(c.policy()),
                    config.accel().qemuName());
        } catch (IllegalArgumentException e) {
            throw new CommandRefused("migration " + c.migrationId() + " of VM '" + c.vmId() + "': " + e.getMessage());
        }
        MigrationPhaseFile phases = new MigrationPhaseFile(vms.vmDir(c.vmId()), new MigrationPhaseFile.Saved(
                c.migrationId(), uri, req.policy(), req.accel(), MigrationPhase.CONFIGURING));
        MigrationRun run = MigrationRun.start(req, listener(c.vmId(), c.migrationId()), phases);
        vm.migration = run;
        if (req.armed()) {
            // Configures QEMU now and migrates on the destination-ready: answered at once, so that this host's next
            // command (that destination-ready) is not held behind this one.
            return CommandExecutor.object().put("migrationId", c.migrationId()).put("armed", true);
        }
        return awaitMigrate(run, c.migrationId(), uri);
    }

    /**
     * Answers once QEMU has been told to migrate (the phase file says MIGRATING: an agent restarted after this
     * re-attaches), not as soon as the run is launched: an agent killed in between had answered "started" for a
     * migration no QEMU ran and no later agent follows, and the coordinator waited for it in vain.
     */
    private JsonNode awaitMigrate(MigrationRun run, String migrationId, String uri) {
        try {
            run.migrateIssued().get(MIGRATE_ISSUED_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // answered anyway, as before: the run reports its own verdict
        }
        return CommandExecutor.object().put("migrationId", migrationId).put("uri", uri)
                .put("migrateIssued", run.migrateSent());
    }

    /**
     * The uris of destinations that said they listen before this host was armed for their migration (the coordinator
     * arms the source after persisting the request; the destination's word can overtake it), by migration id. Few and
     * short-lived: the start-migration follows within moments; the oldest are dropped past {@link #NOTED_MAX}.
     */
    private final Map<String, String> readyUris = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > NOTED_MAX;
        }
    });
    static final int NOTED_MAX = 1024;

    /** Source: the destination of {@code c.migrationId()} listens; an armed run migrates now. */
    JsonNode destinationReady(AgentCommand.DestinationReady c) {
        ManagedVm vm = vms.require(c.vmId());
        refuseIfCancelledHere(c.migrationId());
        MigrationRun run = vm.migration;
        if (run == null || !run.request().migrationId().equals(c.migrationId())) {
            readyUris.put(c.migrationId(), c.uri());
            return CommandExecutor.object().put("migrationId", c.migrationId()).put("uri", c.uri()).put("noted", true);
        }
        if (run.destinationReady(c.uri())) {
            return awaitMigrate(run, c.migrationId(), c.uri());
        }
        if (!run.request().armed() && c.uri().equals(run.request().uri()) && !run.outcome().isDone()) {
            return awaitMigrate(run, c.migrationId(), c.uri()); // already told, by the coordinator's start-migration
        }
        MigrationOutcome o = run.outcome().getNow(null);
        throw new CommandRefused("migration " + c.migrationId() + " of VM '" + c.vmId() + "' does not migrate to " + c.uri()
                + " on this host: " + (o != null ? "it ended " + o.status().raw() + (o.errorDesc() == null ? "" : " (" + o.errorDesc() + ")")
                : "it migrates to " + run.request().uri()));
    }

    /** Migrations cancelled on this host before they started here: a later start or destination-ready is refused. */
    private final java.util.Set<String> cancelledHere = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > NOTED_MAX;
                }
            }));

    private void refuseIfCancelledHere(String migrationId) {
        if (migrationId != null && cancelledHere.contains(migrationId)) {
            throw new CommandRefused("migration " + migrationId + " was cancelled on this host before it started here");
        }
    }

    /**
     * Whether this agent follows source-side migration {@code migrationId} of {@code vmId}: started here, or
     * re-attached to after a restart (its phase file says QEMU was told to migrate).
     */
    boolean follows(String vmId, String migrationId) {
        MigrationRun run = vms.find(vmId).map(vm -> vm.migration).orElse(null);
        return run != null && run.request().migrationId().equals(migrationId);
    }

    /**
     * After an agent restart: follows each source-side migration the previous agent left
     * unfinished (its QEMU kept migrating) from the saved phase. Returns how many it re-attached to.
     */
    int resumeSaved() {
        int resumed = 0;
        for (ManagedVm vm : vms.all()) {
            Optional<MigrationPhaseFile.Saved> saved = MigrationPhaseFile.load(vms.vmDir(vm.vmId()));
            if (saved.isEmpty() || saved.get().phase().isTerminal() || !vm.isRunning() || vm.endpoint == null) {
                continue;
            }
            MigrationPhaseFile.Saved s = saved.get();
            MigrationRequest req = MigrationRequest.sourceOnly(s.migrationId(), vm.vmId(), vm.endpoint, s.uri(), s.policy(), s.accel());
            vm.migration = MigrationRun.attach(req, s.phase(), listener(vm.vmId(), s.migrationId()),
                    new MigrationPhaseFile(vms.vmDir(vm.vmId()), s));
            status.accept("re-attached to migration " + s.migrationId() + " of " + vm.vmId() + " in phase " + s.phase());
            resumed++;
        }
        return resumed;
    }

    /** Publishes the run's samples and outcome, and prints a status line with the outcome. */
    private MigrationListener listener(String vmId, String migrationId) {
        MigrationListener report = new MigrationListener() {
            @Override
            public void onOutcome(MigrationOutcome o) {
                status.accept(String.format("migration %s of %s: %s%s", o.migrationId(), o.vmId(), o.status().raw(),
                        o.errorDesc() == null ? "" : " (" + o.errorDesc() + ")"));
            }
        };
        return MigrationListener.all(publisher.forMigration(vmId, migrationId), report);
    }

    JsonNode tune(AgentCommand.TuneMigration c) {
        MigrationRun run = running(c.vmId(), c.migrationId());
        if (c.autoConverge() != null) {
            throw new CommandRefused("auto-converge is a capability, which QEMU only changes before a migration starts");
        }
        ArrayNode applied = CommandExecutor.object().arrayNode();
        if (c.downtimeLimitMs() != null) {
            run.setDowntimeLimit(c.downtimeLimitMs());
            applied.add("downtime-limit");
        }
        if (c.maxBandwidth() != null) {
            run.setMaxBandwidth(c.maxBandwidth());
            applied.add("max-bandwidth");
        }
        if (Boolean.TRUE.equals(c.startPostcopy())) {
            try {
                run.startPostcopy();
            } catch (IllegalStateException e) {
                throw new CommandRefused(e.getMessage());
            }
            applied.add("start-postcopy");
        }
        ObjectNode data = CommandExecutor.object();
        data.set("applied", applied);
        return data;
    }

    JsonNode cancel(AgentCommand.CancelMigration c) {
        ManagedVm vm = vms.require(c.vmId());
        MigrationRun current = vm.migration;
        if (c.migrationId() != null && (current == null || !current.request().migrationId().equals(c.migrationId()))) {
            // Not armed here (yet): the coordinator arms a source after it persisted the request, and a cancel can reach
            // a host whose agent restarted in between. Whatever comes later for this migration is refused, and the
            // cancellation is reported as the migration's outcome here, so that the coordinator learns the source stood down.
            cancelledHere.add(c.migrationId());
            readyUris.remove(c.migrationId());
            publisher.forMigration(c.vmId(), c.migrationId()).onOutcome(new MigrationOutcome(c.migrationId(), c.vmId(),
                    MigrationStatus.CANCELLED, 0, 0L, null, null, config.accel().qemuName(), java.util.List.of(),
                    "cancelled before it started on " + config.hostId() + "; nothing was migrated"));
            return CommandExecutor.object().put("state", "cancelled-before-start");
        }
        MigrationRun run = running(c.vmId(), c.migrationId());
        if (!run.cancel()) {
            throw new CommandRefused("migration " + run.request().migrationId() + " of VM '" + c.vmId()
                    + "' is in post-copy: the guest already runs on the destination, so it cannot be cancelled");
        }
        return CommandExecutor.object().put("state", "cancelling");
    }

    /** What QEMU reports now ({@code query-migrate}, {@code query-status}), with the engine's phase if a run is known. */
    JsonNode query(AgentCommand.QueryMigration c) {
        ManagedVm vm = vms.require(c.vmId());
        ObjectNode data = CommandExecutor.object().put("vmState", VmManager.state(vm));
        if (vm.isRunning()) {
            QmpClient qmp = VmManager.qmp(vm);
            data.set("queryMigrate", qmp.execute("query-migrate"));
            data.set("queryStatus", qmp.execute("query-status"));
        }
        MigrationRun run = vm.migration;
        if (run != null) {
            data.put("migrationId", run.request().migrationId()).put("phase", run.phase().name());
            MigrationOutcome o = run.outcome().getNow(null);
            if (o != null) data.put("outcome", o.status().raw());
        }
        return data;
    }

    /**
     * How long retire-vm waits for the source's verdict when the run is still on: the source completes within
     * moments of the destination reporting the guest runs, which can reach the coordinator first.
     */
    static final java.time.Duration RETIRE_WAIT = java.time.Duration.ofSeconds(10);

    /** Stops the source QEMU once the migration is confirmed completed; the VM is no longer this host's. */
    JsonNode retire(AgentCommand.RetireVm c) {
        ManagedVm vm = vms.require(c.vmId());
        MigrationRun run = vm.migration;
        MigrationStatus status;
        if (run != null && (c.migrationId() == null || run.request().migrationId().equals(c.migrationId()))) {
            // The destination may confirm the guest before this source's own verdict is in: give it a moment.
            MigrationOutcome o;
            try {
                o = run.outcome().get(RETIRE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                o = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                o = null;
            }
            status = o == null ? run.sourceStatus() : o.status();
        } else {
            // After an agent restart the run is gone: ask QEMU.
            status = vm.isRunning() ? MigrationStatus.of(VmManager.qmp(vm).execute("query-migrate").path("status").asText("none"))
                    : MigrationStatus.NONE;
        }
        if (!MigrationStatus.COMPLETED.equals(status)) {
            throw new CommandRefused("VM '" + c.vmId() + "' is not retired: its migration " + c.migrationId()
                    + " is not completed on this host (status " + status.raw() + ")");
        }
        vms.retire(c.vmId());
        return CommandExecutor.object().put("retired", true);
    }

    /** QEMU run states in which a source holds the guest's whole state, stopped: {@code cont} resumes it. */
    static final java.util.Set<String> RESUMABLE = java.util.Set.of("postmigrate", "paused", "finish-migrate");

    /**
     * After a pre-copy migration completed but the destination lost the guest: {@code cont} on the source,
     * which still holds the guest's whole state. Refused after post-copy (the source's state is stale) and
     * when the source QEMU is gone; a source already running answers without acting.
     */
    JsonNode resumeSource(AgentCommand.ResumeSource c) {
        ManagedVm vm = vms.require(c.vmId());
        MigrationRun run = vm.migration;
        boolean ours = run != null && run.request().migrationId().equals(c.migrationId());
        if (ours && run.enteredPostcopy()) {
            throw new CommandRefused("VM '" + c.vmId() + "' is not resumed here: migration " + c.migrationId()
                    + " went to post-copy, so this host's copy of the guest is stale");
        }
        if (!vm.isRunning()) {
            throw new CommandRefused("VM '" + c.vmId() + "' cannot be resumed: its QEMU on this host is not running");
        }
        QmpClient qmp = VmManager.qmp(vm);
        String status = qmp.execute("query-status").path("status").asText("unknown");
        if (status.equals("running")) {
            return CommandExecutor.object().put("state", "running").put("resumed", false);
        }
        if (!RESUMABLE.contains(status)) {
            throw new CommandRefused("VM '" + c.vmId() + "' is not resumed: QEMU reports run state " + status
                    + ", not one of " + new java.util.TreeSet<>(RESUMABLE));
        }
        qmp.execute("cont");
        log.info("resumed VM {} on this host after migration {}: its destination lost the guest", c.vmId(), c.migrationId());
        return CommandExecutor.object().put("state", "running").put("resumed", true).put("from", status);
    }

    private MigrationRun running(String vmId, String migrationId) {
        ManagedVm vm = vms.require(vmId);
        MigrationRun run = vm.migration;
        if (run == null || run.outcome().isDone()) {
            throw new CommandRefused("VM '" + vmId + "' has no migration running on this host");
        }
        if (migrationId != null && !run.request().migrationId().equals(migrationId)) {
            throw new CommandRefused("VM '" + vmId + "' is migrating as " + run.request().migrationId() + ", not " + migrationId);
        }
        return run;
    }

    private static MigrationPolicy policy(MigrationPolicy p) {
        MigrationPolicy policy = p == null ? MigrationPolicy.defaults() : p;
        try {
            return policy.validated();
        } catch (IllegalArgumentException e) {
            throw new CommandRefused("the migration policy is impossible: " + e.getMessage());
        }
    }

    /** An IPv6 address goes in brackets in a tcp: URI. */
    private static String uriHost(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

}
