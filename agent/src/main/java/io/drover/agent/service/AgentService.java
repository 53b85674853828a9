package io.drover.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.kafka.AgentPublisher;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordSerializer;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Drover agent as a long-running service on one host: registers on {@link Topics#HOSTS} and
 * heartbeats there, executes its own {@link AgentCommand}s from {@link Topics#AGENT_COMMANDS} at
 * most once each ({@link CommandJournal}), answers each on {@link Topics#AGENT_RESULTS}, and
 * publishes every QMP event of its VMs on {@link Topics#AGENT_EVENTS}.
 *
 * <p>Commands are keyed by host id, so all of one host's commands land in the partition its id
 * hashes to under Kafka's default partitioner; the agent assigns itself that partition only
 * (no group rebalancing: one agent per host id), skips the records of other hosts that share it,
 * and commits an offset only once the command's result is in the journal and on the results topic.
 * Commands run one at a time, in order; a migration runs on past its command on a thread of its own.
 */
public final class AgentService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentService.class);

    /** Short enough that close() and new commands are noticed quickly, long enough not to spin. */
    static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    /** Bounds waiting for Kafka to acknowledge a registration or result: a broker that is down must not hang the agent silently. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** After the journal or Kafka failed to take a command's result: long enough not to spin on a broker that is away. */
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** How long to wait for the commands topic to exist (it may be created after the agent starts). */
    static final Duration TOPIC_WAIT = Duration.ofSeconds(60);
    /** Consumer group prefix; the group only holds this agent's committed offset. */
    public static final String GROUP_PREFIX = "drover-agent-";
    /** Subject of records about the host rather than a VM (registrations, results of commands without a VM). */
    static final String NO_VM = "-";

    private final AgentConfig config;
    private final Consumer<String> status;
    private final String source;
    private final Instant started = Instant.now();
    private final CommandJournal journal;
    private final AgentPublisher publisher;
    private final KafkaProducer<String, DroverRecord<?>> producer;
    private final VmManager vms;
    private final MigrationCommands migrations;
    private final CommandExecutor executor;
    private final ScheduledExecutorService heartbeats;
    private final AtomicLong heartbeatSequence = new AtomicLong();
    private final AtomicLong executed = new AtomicLong();
    private volatile String qemuVersion;
    private volatile String dialect;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Thread commandThread;

    private AgentService(AgentConfig config, Consumer<String> status) {
        this.config = config;
        this.status = status;
        this.source = DroverRecord.hostSource(config.hostId());
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        this.journal = new CommandJournal(config.dataDir());
        this.publisher = new AgentPublisher(config.bootstrapServers(), config.hostId());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, AgentPublisher.LINGER_MS, // results: the coordinator waits on each
                ProducerConfig.CLIENT_ID_CONFIG, GROUP_PREFIX + config.hostId() + "-control"),
                new StringSerializer(), new DroverRecordSerializer());
        this.vms = new VmManager(config.dataDir(), new QemuLauncher(VmManager.vmsDir(config.dataDir()), config.accel()),
                publisher, config.memoryMiB());
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-heartbeat-" + config.hostId());
            t.setDaemon(true);
            return t;
        });
        // An incoming migration that ends changes a VM here (the guest now runs): reported like a command's change.
        this.migrations = new MigrationCommands(vms, publisher, config, status, this::reportChange, this::later);
        this.executor = new CommandExecutor(vms, migrations);
        this.commandThread = new Thread(this::consumeCommands, "agent-commands-" + config.hostId());
        this.commandThread.setDaemon(true);
    }

    /** Re-attaches to the VMs a previous agent left running, learns the QEMU dialect, registers. */
    private void register() {
        qemuVersion = QemuLauncher.qemuVersion();
        int attached = vms.recover();
        dialect = vms.anyEndpoint().map(e -> e.dialect().toString())
                .orElseGet(() -> DialectProbe.probe(config.dataDir(), config.accel()).toString());
        publishStatus(RecordTypes.HOST_REGISTERED, 0);
        migrations.resumeSaved();
        status.accept(String.format("registered host %s: %s, %s, %d MiB, %d vCPUs, %d VMs (%d re-attached), data in %s",
                config.hostId(), dialect, config.accel().qemuName(), config.memoryMiB(), config.vcpus(),
                vms.list().size(), attached, config.dataDir()));
    }

    /**
     * Starts the agent: re-attaches to the QEMUs a previous agent left running, registers, then
     * heartbeats and executes commands until {@link #close()}.
     *
     * @param status receives one human-readable line at registration and one per command handled
     */
    public static AgentService start(AgentConfig config, Consumer<String> status) {
        AgentService s = new AgentService(config, status);
        try {
            s.register();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        long every = config.heartbeatInterval().toMillis();
        s.heartbeats.scheduleAtFixedRate(s::heartbeat, every, every, TimeUnit.MILLISECONDS);
        s.commandThread.start();
        return s;
    }

    public static AgentService start(AgentConfig config) {
        return start(config, line -> log.info("{}", line));
    }

    public AgentConfig config() {
        return config;
    }

    /** The VMs and their states now, as in heartbeats. */
    public List<HostStatus.VmState> vms() {
        return vms.list();
    }

    /** How many commands this agent process executed (not counting answered duplicates and poison). */
    public long executedCommands() {
        return executed.get();
    }

    /** The partition of {@code topic} that Kafka's default partitioner puts records keyed {@code hostId} in. */
    public static int partitionFor(String hostId, int partitions) {
        return Utils.toPositive(Utils.murmur2(hostId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    // ---- host status ----------------------------------------------------------------------------

    private void heartbeat() {
        try {
            publishStatus(RecordTypes.HOST_HEARTBEAT, heartbeatSequence.incrementAndGet());
        } catch (RuntimeException e) {
            log.warn("heartbeat of {} failed: {}", config.hostId(), e.toString());
        }
    }

    private void publishStatus(String type, long sequence) {
        HostStatus hs = new HostStatus(config.hostId(), qemuVersion, dialect, config.accel().qemuName(),
                config.memoryMiB(), config.vcpus(), vms.list(), sequence, started);
        await(producer.send(new ProducerRecord<>(Topics.HOSTS, config.hostId(),
                DroverRecord.create(type, source, config.hostId(), Instant.now(), hs))), type);
    }

    // ---- commands ---------------------------------------------------------------------------------

    private void consumeCommands() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP_PREFIX + config.hostId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A new agent starts with the first command ever sent to it: commands wait for their agent.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, GROUP_PREFIX + config.hostId() + "-commands"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (!running) return;
            TopicPartition tp = ownPartition(c);
            c.assign(List.of(tp));
            log.info("agent {} consumes {}", config.hostId(), tp);
            try {
                consume(c, tp);
            } finally {
                // What the asynchronous commits may not have landed yet, before the consumer closes.
                long next = handledUpTo;
                if (next >= 0) {
                    try {
                        c.commitSync(Map.of(tp, new OffsetAndMetadata(next)), CLOSING_COMMIT_TIMEOUT);
                    } catch (RuntimeException e) {
                        log.warn("agent {}: last commit of {}@{} failed: {}", config.hostId(), tp, next, e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) log.error("command consumer of {} woken up unexpectedly", config.hostId(), e);
        } catch (RuntimeException e) {
            log.error("command consumer of {} stopped: {}", config.hostId(), e.toString(), e);
            status.accept("command consumer stopped: " + e);
        }
    }

    /** The offset after the last command record handled (-1: none yet), for the commit at the end. */
    private long handledUpTo = -1;
    /** A stopping agent waits this long for its last commit: a broker that is away must not hold the shutdown. */
    static final Duration CLOSING_COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Work that changes the VMs outside a command (a lapsed incoming lease), run on the command thread between two
     * polls, as commands are: VM state has one writer.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> chores = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Runs {@code chore} on the command thread after {@code delay}. */
    private void later(Duration delay, Runnable chore) {
        try {
            heartbeats.schedule(() -> chores.add(chore), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: nothing more to do here
        }
    }

    private void runChores() {
        for (Runnable r; (r = chores.poll()) != null; ) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("agent {}: {}", config.hostId(), e.toString());
            }
        }
    }

    private void consume(KafkaConsumer<String, byte[]> c, TopicPartition tp) {
        while (running) {
            runChores();
            for (ConsumerRecord<String, byte[]> r : c.poll(POLL_TIMEOUT)) {
                try {
                    handle(r);
                } catch (RuntimeException e) {
                    // The journal or Kafka failed (disk full, broker away): not recorded, so not committed.
                    // Read the record again after a pause; the journal keeps a retry from running it twice.
                    log.error("could not record the handling of {}@{}, retrying in {}: {}", tp, r.offset(), RETRY_PAUSE, e.toString());
                    status.accept("could not record command at " + tp + "@" + r.offset() + ", retrying: " + e.getMessage());
                    c.seek(tp, r.offset());
                    pause();
                    break;
                }
                // Only now: the result is in the journal and acknowledged on the results topic. Asynchronously:
                // a commit lost to a crash redelivers the record, which the journal answers without running it.
                handledUpTo = r.offset() + 1;
                c.commitAsync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)), (offsets, err) -> {
                    if (err != null) log.warn("agent {}: commit of {} failed: {}", config.hostId(), offsets, err.toString());
                });
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private TopicPartition ownPartition(KafkaConsumer<String, byte[]> c) {
        Instant deadline = Instant.now().plus(TOPIC_WAIT);
        while (running) {
            List<PartitionInfo> parts = c.partitionsFor(Topics.AGENT_COMMANDS, SEND_TIMEOUT);
            if (parts != null && !parts.isEmpty()) {
                return new TopicPartition(Topics.AGENT_COMMANDS, partitionFor(config.hostId(), parts.size()));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("topic " + Topics.AGENT_COMMANDS + " does not exist after " + TOPIC_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + Topics.AGENT_COMMANDS);
            }
        }
        throw new WakeupException();
    }

    /**
     * How long after a change of its VMs the agent reports them (an extra heartbeat), the changes in between going
     * into the same report. A migration changes the VM list at each of its steps, and the coordinator persists a
     * changed list: a report sent at once lands on the coordinator's journal together with the migration's own next
     * step, which waits for it. A fifth of a second keeps {@code GET /api/vms} current enough for a person or a script.
     */
    static final Duration CHANGE_REPORT_DELAY = Duration.ofMillis(200);
    private final java.util.concurrent.atomic.AtomicBoolean changeReportDue = new java.util.concurrent.atomic.AtomicBoolean();

    /** Reports the VMs after {@link #CHANGE_REPORT_DELAY}, once for all the changes until then. */
    private void reportChange() {
        if (changeReportDue.compareAndSet(false, true)) {
            try {
                heartbeats.schedule(() -> {
                    changeReportDue.set(false); // a change from here on is in this report or gets another one
                    heartbeat();
                }, CHANGE_REPORT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                changeReportDue.set(false); // stopping: the agent reports nothing more
            }
        }
    }

    /** One record of the commands partition: another host's, a poison record, a duplicate or a command to run. */
    void handle(ConsumerRecord<String, byte[]> r) {
        if (r.key() != null && !r.key().equals(config.hostId())) {
            log.debug("skipping {}-{}@{}: for host {}", r.topic(), r.partition(), r.offset(), r.key());
            return;
        }
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        AgentCommand cmd;
        try {
            cmd = parse(r);
        } catch (PoisonRecord p) {
            log.error("skipping poison record {}: {}", where, p.getMessage());
            status.accept("skipped poison record " + where + ": " + p.getMessage());
            p.commandId.ifPresent(id -> publishResult(new CommandResult(id, config.hostId(), p.vmId, p.kind,
                    false, "rejected record " + where + ": " + p.getMessage(), null, false)));
            return;
        }
        long t0 = System.nanoTime();
        log.debug("received {} {} at {}, {} ms after it was sent", cmd.command(), cmd.commandId(), where,
                System.currentTimeMillis() - r.timestamp());
        CommandResult result = execute(cmd);
        long t1 = System.nanoTime();
        publishResult(result);
        log.debug("{} {}: executed in {} ms, result acknowledged {} ms later", cmd.command(), cmd.commandId(),
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        if (result.ok() && !result.duplicate() && !(cmd instanceof AgentCommand.QueryMigration)
                && !(cmd instanceof AgentCommand.TuneMigration) && !(cmd instanceof AgentCommand.DestinationReady)) {
            // The VMs changed (defined, started, stopped, retired, a destination prepared): say so soon rather than
            // at the next heartbeat, so that the coordinator's view (GET /api/vms) follows.
            reportChange();
        }
        status.accept(String.format("%s %s %s on %s: %s%s", result.duplicate() ? "answered again" : "handled",
                result.command(), result.commandId(), result.vmId(), result.ok() ? "ok" : "error: " + result.error(),
                result.data() == null || result.data().isEmpty() ? "" : " " + result.data()));
    }

    /** At most once per command id: a known id gets its stored result; an interrupted one an error. */
    private CommandResult execute(AgentCommand cmd) {
        String kind = CommandExecutor.kind(cmd);
        Optional<CommandJournal.Entry> seen = journal.find(cmd.commandId());
        if (seen.isPresent()) {
            CommandJournal.Entry e = seen.get();
            if (e.state() == CommandJournal.State.DONE) {
                CommandResult r = e.result();
                return new CommandResult(r.commandId(), r.hostId(), r.vmId(), r.command(), r.ok(), r.error(), r.data(), true);
            }
            String followed = cmd instanceof AgentCommand.StartMigration s ? s.migrationId()
                    : cmd instanceof AgentCommand.DestinationReady d ? d.migrationId() : null;
            if (followed != null && migrations.follows(cmd.vmId(), followed)) {
                // Interrupted after QEMU was told to migrate (the phase file is saved before `migrate`), and re-attached
                // to at start: it took effect. Answering an error here would make the coordinator fail the migration
                // and stop the destination while QEMU migrates to it, or after it completed there.
                CommandResult started = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, true, null,
                        CommandExecutor.object().put("migrationId", followed).put("migrateIssued", true).put("reattached", true), true);
                journal.complete(started);
                return started;
            }
            if (cmd instanceof AgentCommand.PrepareIncoming p) {
                Optional<JsonNode> listening = migrations.stillListening(p);
                if (listening.isPresent()) {
                    // Interrupted after its QEMU listened (its hand-off may have gone out): it took effect, and the
                    // incoming QEMU outlived the agent. Answered with its uri, as the first time would have been.
                    CommandResult prepared = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, true, null,
                            listening.get(), true);
                    journal.complete(prepared);
                    return prepared;
                }
            }
            CommandResult interrupted = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, false,
                    "command " + cmd.commandId() + " (" + kind + ") was interrupted: the agent stopped while executing it (started "
                            + e.startedAt() + "), so whether it took effect is unknown; it is not run again. "
                            + "Reconcile the VM's state with query-migration.", null, true);
            journal.complete(interrupted);
            return interrupted;
        }
        if (!(cmd instanceof AgentCommand.DestinationReady) && !(cmd instanceof AgentCommand.PrepareIncoming)) {
            // Not for the two commands on the way to migrate, which act once by themselves, and so are spared a journal
            // write each. A repeated destination-ready finds the run it armed migrating (the phase file is saved before
            // migrate, and a restarted agent re-attaches from it) and answers so; one that finds no run notes the uri,
            // which changes nothing. A repeated prepare-incoming finds the QEMU it started for that migration (its
            // incoming note) listening or receiving and answers with its uri, or stops it if it never listened and
            // starts afresh.
            journal.begin(cmd.commandId(), kind);
        }
        executed.incrementAndGet();
        CommandResult result;
        try {
            JsonNode data = executor.execute(cmd);
            result = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, true, null, data, false);
        } catch (CommandRefused e) {
            result = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, false, e.getMessage(), null, false);
        } catch (RuntimeException e) {
            log.warn("{} {} failed", kind, cmd.commandId(), e);
            result = new CommandResult(cmd.commandId(), config.hostId(), cmd.vmId(), kind, false,
                    kind + " failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()), null, false);
        }
        if (cmd instanceof AgentCommand.PrepareIncoming p && p.handOff() != null && result.ok()) {
            // Before the result is in the journal: the source is waiting, and an agent stopped between the two finds
            // its QEMU still listening when it reads this command again (stillListening), and answers it as prepared.
            handOff(p, result);
        }
        if (cmd instanceof AgentCommand.PrepareIncoming p && result.ok()) {
            try {
                executor.prepared(p);
            } catch (RuntimeException e) {
                // The QEMU listens and the source may be migrating to it: the definition is in the page cache and
                // serves this agent; only a host crash before the next write of it would lose it.
                log.warn("could not write the definition of VM {} durably after prepare-incoming {}: {}", p.vmId(),
                        p.commandId(), e.toString());
            }
        }
        journal.complete(result);
        return result;
    }

    private AgentCommand parse(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            throw new PoisonRecord("record has no value", null);
        }
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new PoisonRecord("value is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), null);
        }
        if (tree == null || !tree.isObject()) {
            throw new PoisonRecord("value is not a JSON object", null);
        }
        JsonNode data = tree.path("data");
        if (!RecordTypes.AGENT_COMMAND.equals(tree.path("type").asText())) {
            throw new PoisonRecord("record type '" + tree.path("type").asText() + "' is not " + RecordTypes.AGENT_COMMAND, data);
        }
        DroverRecord<?> rec;
        try {
            rec = Json.mapper().treeToValue(tree, DroverRecord.class);
        } catch (IOException | IllegalArgumentException e) {
            String kind = data.path("command").asText("");
            String why = kind.isEmpty() ? "command kind (member 'command') is missing"
                    : e.getMessage() != null && e.getMessage().contains("type id") ? "unknown command kind '" + kind + "'"
                    : "not a valid " + kind + " command: " + e.getMessage();
            throw new PoisonRecord(why, data);
        }
        if (!(rec.data() instanceof AgentCommand cmd)) {
            throw new PoisonRecord("data is not a command (schema version " + rec.droverschemaversion() + " is newer than this agent's)", data);
        }
        if (!cmd.hostId().equals(config.hostId())) {
            throw new PoisonRecord("command for host '" + cmd.hostId() + "' arrived with key '" + r.key()
                    + "' at host '" + config.hostId() + "'", data);
        }
        return cmd;
    }

    /** A record on the commands topic that is not a command for this host; named, answered when it has an id, skipped. */
    private static final class PoisonRecord extends RuntimeException {
        final Optional<String> commandId;
        final String vmId;
        final String kind;

        PoisonRecord(String message, JsonNode data) {
            super(message);
            JsonNode d = data == null ? Json.mapper().missingNode() : data;
            String id = d.path("commandId").asText("");
            this.commandId = id.isBlank() ? Optional.empty() : Optional.of(id);
            this.vmId = d.path("vmId").asText(null);
            this.kind = d.path("command").asText("unknown");
        }
    }

    /**
     * The destination listens and its result is in the journal: tells the source's agent itself, one Kafka hop,
     * rather than through the coordinator (result, journal write, command: three). The coordinator sends the same
     * destination-ready under the same id once it has the result, so a hand-off lost here (this agent stopping before
     * the send, Kafka refusing it) only makes the source wait for that one; a failure is logged, not retried.
     */
    private void handOff(AgentCommand.PrepareIncoming p, CommandResult result) {
        String uri = result.data() == null ? null : result.data().path("uri").asText(null);
        try {
            AgentCommand.DestinationReady ready = new AgentCommand.DestinationReady(p.handOff().commandId(), p.handOff().hostId(),
                    p.vmId(), p.migrationId(), uri);
            // Not awaited: the result, which follows, is (and the coordinator sends this same command once it has it).
            producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, ready.hostId(),
                    DroverRecord.create(RecordTypes.AGENT_COMMAND, source, p.vmId(), Instant.now(), ready)), (md, err) -> {
                if (err != null) {
                    log.warn("could not tell host {} that migration {} listens on {} (the coordinator will): {}",
                            ready.hostId(), p.migrationId(), uri, err.toString());
                }
            });
            log.debug("handed {} of migration {} to host {}", uri, p.migrationId(), ready.hostId());
        } catch (RuntimeException e) {
            log.warn("could not tell host {} that migration {} listens on {} (the coordinator will): {}",
                    p.handOff().hostId(), p.migrationId(), uri, e.toString());
        }
    }

    private void publishResult(CommandResult result) {
        String subject = result.vmId() == null || result.vmId().isBlank() ? NO_VM : result.vmId();
        await(producer.send(new ProducerRecord<>(Topics.AGENT_RESULTS, config.hostId(),
                DroverRecord.create(RecordTypes.COMMAND_RESULT, source, subject, Instant.now(), result))),
                "result of " + result.commandId());
    }

    private static void await(java.util.concurrent.Future<?> f, String what) {
        try {
            f.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not take " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge " + what + " within " + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        }
    }

    /** Stops consuming and heartbeating and closes the QMP connections; the QEMUs keep running. */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        try {
            commandThread.join(SEND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeats.shutdownNow();
        vms.close();
        publisher.close();
        producer.close(SEND_TIMEOUT);
    }
}
