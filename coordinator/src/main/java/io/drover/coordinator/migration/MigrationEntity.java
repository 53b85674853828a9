package io.drover.coordinator.migration;

import io.drover.coordinator.migration.MigrationCommand.*;
import io.drover.coordinator.migration.MigrationEvent.*;
import io.drover.coordinator.migration.MigrationState.*;
import io.drover.coordinator.policy.ConvergenceLadder;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.events.AgentCommand;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationStatus;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One live migration, event-sourced under persistence id {@code Migration|<id>}.
 *
 * <p>Like libvirt, the phase is persisted before each irreversible step is sent to an agent
 * ({@code migrate}, the switch to post-copy, {@code migrate_cancel}, retiring the source), and a
 * migration in post-copy is never cancelled. Every command to an agent has an id derived from the
 * migration id and the step ({@link #commandId}), so what is re-sent after a recovery carries the id the
 * agent has already seen, and the agent answers it without acting twice.
 *
 * <p>Like KubeVirt's migration controller, the commands that can end a migration run ordered failure
 * checks first, each ending in a named event with a sentence, then one switch over the phase.
 */
public final class MigrationEntity
        extends EventSourcedBehaviorWithEnforcedReplies<MigrationCommand, MigrationEvent, MigrationState> {

    public static final EntityTypeKey<MigrationCommand> TYPE_KEY = EntityTypeKey.create(MigrationCommand.class, "Migration");

    /**
     * How long the destination may take to start an incoming QEMU and listen. Starting a QEMU takes about a
     * second; a minute covers a loaded host and a slow Kafka round trip, and a guest is not kept waiting on
     * a destination that is not coming.
     */
    public static final Duration PREPARE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How long to wait for the outcome of a cancel, or for the destination to confirm, before asking QEMU
     * (query-migration) and then again at this interval: migrate_cancel and the switchover end within a
     * second or two, so ten seconds of silence means a report was lost, not that QEMU is still busy.
     */
    public static final Duration RECONCILE_AFTER = Duration.ofSeconds(10);
    /**
     * How often an unconfirmed destination is asked again. The destination resumes the guest within moments of
     * the source completing, so the first answer is usually "running"; one that is still loading the last
     * state says "inmigrate" and is asked again soon, each ask being one Kafka round trip and a query-status.
     */
    public static final Duration CONFIRM_REQUERY = Duration.ofSeconds(2);
    /**
     * How long after the switchover a missing confirmation is recorded as overdue. A switchover ends in a
     * second or two; a minute without a running guest means the destination or its agent is in trouble,
     * which an operator has to see. Nothing is done to either host: the destination may be running the guest.
     */
    public static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The VM states in which a destination's answer proves the guest does not run there: the agent reports
     * {@code stopped} when the QEMU process is gone; the others are QEMU run states that never run a guest again.
     */
    public static final java.util.Set<String> LOST_VM_STATES = java.util.Set.of("stopped", "shutdown", "internal-error");
    /** How often the entity checks its timeouts: the timeouts are tens of seconds, a second is precise enough. */
    public static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
    /**
     * The least time between two recorded samples: a sample that comes sooner, in the same pass, and leads to no
     * decision is weighed by the ladder but not persisted (a new pass is always recorded: the summary counts them). Agents sample every pass and every sample interval, and a journal write per
     * sample queued the commands that matter (the switchover, the destination's confirmation) behind them while
     * the migration was at its busiest. One second keeps the progress and the stall check fine enough for
     * migrations that last seconds to hours; every sample is still in the audit log.
     */
    public static final Duration PROGRESS_RECORD_INTERVAL = Duration.ofSeconds(1);
    /**
     * How long after the destination's result the coordinator waits for the source to report it started before it
     * sends destination-ready itself. The destination's agent hands its uri to the source directly, and the source
     * reports within milliseconds; sending the same command at once cost a Kafka round trip and the source's agent a
     * journal look-up at the start of every migration, while it mattered only when the hand-off was lost. A second,
     * the entity's tick, is short against any migration's length.
     */
    public static final Duration HAND_OFF_GRACE = Duration.ofSeconds(1);

    /**
     * The events that end a migration: a migration whose last event is none of these is unfinished. The
     * start-up ({@code Coordinator.persisted}) and the "is this VM already migrating" check read them from
     * the journal itself, not from a tag or the read model: the read model lags the journal, and these
     * answers must be exact.
     */
    public static final List<Class<? extends MigrationEvent>> ENDING_EVENTS =
            List.of(MigrationCompleted.class, MigrationFailed.class, MigrationCancelled.class);

    /**
     * The tag of every migration event: the read model ({@code MigrationSummaryProjection}) reads them by it.
     * One tag, not slices ({@code migration-0} .. {@code migration-N} by persistence id): a single
     * eventsByTag stream is read by one projection instance, which keeps up with what one coordinator
     * persists (a sample every half second per running migration); slicing later means tagging anew.
     * V4__pekko_projection.sql tagged the events persisted before this tag existed with this same string.
     */
    public static final String TAG = "migration";
    private static final Set<String> TAGS = Set.of(TAG);

    private final String migrationId;
    private final AgentGateway gateway;
    private final Clock clock;
    private final Runnable passivate;
    /** Where the end of the migration is announced (null: nowhere, as in unit tests). */
    private final ActorRef<Topic.Command<MigrationEnded>> ended;
    /** When QEMU was last asked for its state (not persisted: queries are reads). */
    private Instant lastQueryAt = Instant.MIN;
    /** Set by {@link MigrationCommand.KeepWarm}: an empty entity stays in memory until then (transient, like its timer). */
    private Instant warmUntil;
    /** What the destination last answered while unconfirmed, for the sentence of {@link ConfirmationOverdue}. */
    private String lastDestinationState;

    private MigrationEntity(String migrationId, AgentGateway gateway, Clock clock, Runnable passivate,
                            ActorRef<Topic.Command<MigrationEnded>> ended) {
        super(PersistenceId.of(TYPE_KEY.name(), migrationId));
        this.ended = ended;
        this.migrationId = migrationId;
        this.gateway = gateway;
        this.clock = clock;
        this.passivate = passivate;
    }

    /**
     * The entity, checking its timeouts every {@code tickInterval} (tests pass a long one and send
     * {@link Tick}s). Sharding does not passivate migrations by itself (a quiet migration still has timeouts
     * to watch); an ended one asks for it through {@code passivate}, at its next tick.
     */
    public static Behavior<MigrationCommand> create(String migrationId, AgentGateway gateway, Clock clock, Duration tickInterval,
                                                    Consumer<ActorRef<MigrationCommand>> passivate) {
        return create(migrationId, gateway, clock, tickInterval, passivate, null);
    }

    /** As above, announcing the migration's end on {@code ended} (the {@link MigrationEnded#TOPIC} topic). */
    public static Behavior<MigrationCommand> create(String migrationId, AgentGateway gateway, Clock clock, Duration tickInterval,
                                                    Consumer<ActorRef<MigrationCommand>> passivate,
                                                    ActorRef<Topic.Command<MigrationEnded>> ended) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay("tick", new Tick(), tickInterval);
            return new MigrationEntity(migrationId, gateway, clock, () -> passivate.accept(ctx.getSelf()), ended);
        }));
    }

    public static Behavior<MigrationCommand> create(String migrationId, AgentGateway gateway, Clock clock, Duration tickInterval) {
        return create(migrationId, gateway, clock, tickInterval, self -> { });
    }

    /** In production: the real clock, a tick every {@link #TICK_INTERVAL}, the end announced on {@code ended}. */
    public static Behavior<MigrationCommand> create(String migrationId, AgentGateway gateway,
                                                    Consumer<ActorRef<MigrationCommand>> passivate,
                                                    ActorRef<Topic.Command<MigrationEnded>> ended) {
        return create(migrationId, gateway, Clock.systemUTC(), TICK_INTERVAL, passivate, ended);
    }

    /**
     * Every persist of this entity: once the events are stored, an ended migration is announced to the long polls
     * waiting on it ({@link MigrationEnded}). One place for it, rather than a side effect at each of the transitions
     * that end a migration.
     */
    private EffectBuilder<MigrationEvent, MigrationState> persistAndAnnounce(MigrationEvent event) {
        return Effect().persist(event).thenRun(this::announceIfEnded);
    }

    private EffectBuilder<MigrationEvent, MigrationState> persistAndAnnounce(List<MigrationEvent> events) {
        return Effect().persist(events).thenRun(this::announceIfEnded);
    }

    private void announceIfEnded(MigrationState st) {
        if (ended != null && st.phase().isTerminal()) {
            ended.tell(Topic.publish(new MigrationEnded(migrationId)));
        }
    }

    /** The idempotency key of {@code step} of migration {@code migrationId}: the same on every (re-)send. */
    public static String commandId(String migrationId, String step) {
        return "migration/" + migrationId + "/" + step;
    }

    static final String PREPARE = "prepare-incoming";
    static final String MIGRATE = "start-migration";
    static final String DESTINATION_READY = "destination-ready";
    static final String POSTCOPY = "start-postcopy";
    static final String CANCEL = "cancel";
    static final String RETIRE_SOURCE = "retire-source";
    static final String STOP_DESTINATION = "stop-destination";
    static final String RESUME_SOURCE = "resume-source";
    static final String QUERY_SOURCE = "query-source-";
    static final String QUERY_DESTINATION = "query-destination-";

    static String tuneStep(int n) {
        return "tune-" + n;
    }

    /**
     * A sample is persisted at most every second ({@link #PROGRESS_RECORD_INTERVAL}) and at every pass, so a long
     * migration has thousands of events; a snapshot every 200 keeps a recovery short. Events are kept: they are the migration's history.
     */
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }

    /** Written by pekko-persistence-jdbc 1.1 into event_tag as (event_id, tag), the layout of V3. */
    @Override
    public Set<String> tagsFor(MigrationEvent event) {
        return TAGS;
    }

    @Override
    public MigrationState emptyState() {
        return new Empty();
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandlerWithReply<MigrationCommand, MigrationEvent, MigrationState> commandHandler() {
        CommandHandlerWithReplyBuilder<MigrationCommand, MigrationEvent, MigrationState> b = newCommandHandlerWithReplyBuilder();
        b.forStateType(Empty.class)
                .onCommand(Create.class, this::create)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.error("migration " + migrationId + " does not exist")))
                // Woken by a request that was then refused, or asked about an id that was never created: nothing
                // to keep in memory. A spare id stays until its KeepWarm runs out.
                .onCommand(MigrationCommand.KeepWarm.class, (s, c) -> {
                    warmUntil = Instant.ofEpochMilli(c.untilEpochMilli());
                    return Effect().noReply();
                })
                .onCommand(Tick.class, (s, c) -> warmUntil != null && now().isBefore(warmUntil) ? Effect().noReply() : ended(s, c));
        b.forStateType(Preparing.class)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(MigrationCommand.DestinationPrepared.class, this::destinationPrepared)
                .onCommand(DestinationPrepareFailed.class, this::destinationPrepareFailed)
                // The destination hands its uri to the source itself: the source's reports can overtake the
                // destination's result. They are taken up once it is in (or the migration ended otherwise).
                .onCommand(MigrationStarted.class, (s, c) -> stashSourceReport())
                .onCommand(Progress.class, (s, c) -> stashSourceReport())
                .onCommand(SourceCompleted.class, (s, c) -> stashSourceReport())
                .onCommand(DestinationConfirmed.class, (s, c) -> stashSourceReport())
                .onCommand(SourceFailed.class, this::sourceFailedWhilePreparing)
                .onCommand(Cancel.class, this::cancelWhilePreparing)
                .onCommand(Tick.class, this::tickPreparing);
        b.forStateType(Migrating.class)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(MigrationCommand.DestinationPrepared.class, (s, c) -> repeatPrepared(s.run().uri(), s, c))
                .onCommand(MigrationStarted.class, this::migrationStarted)
                .onCommand(Progress.class, this::progress)
                .onCommand(SourceCompleted.class, (s, c) -> switchover(s, c.replyTo()))
                .onCommand(DestinationConfirmed.class, this::confirmedBeforeSource)
                .onCommand(SourceFailed.class, this::sourceFailed)
                .onCommand(Cancel.class, this::cancelMigrating)
                .onCommand(Tick.class, this::tickMigrating);
        b.forStateType(Postcopy.class)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(MigrationCommand.DestinationPrepared.class, (s, c) -> repeatPrepared(s.run().uri(), s, c))
                .onCommand(MigrationStarted.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Progress.class, this::progress)
                .onCommand(SourceCompleted.class, (s, c) -> switchover(s, c.replyTo()))
                .onCommand(DestinationConfirmed.class, this::confirmedBeforeSource)
                .onCommand(SourceFailed.class, this::sourceFailed)
                .onCommand(Cancel.class, (s, c) -> reject(c.replyTo(), "migration " + migrationId
                        + " is in post-copy and is never cancelled: the guest's memory is split between "
                        + s.spec().sourceHost() + " and " + s.spec().destinationHost()));
        b.forStateType(Cancelling.class)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(MigrationStarted.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Progress.class, this::progress)
                .onCommand(SourceCompleted.class, (s, c) -> switchover(s, c.replyTo()))
                .onCommand(DestinationConfirmed.class, this::confirmedBeforeSource)
                .onCommand(SourceFailed.class, this::sourceFailed)
                .onCommand(Cancel.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Tick.class, (s, c) -> reconcile(s.since(), s.spec().sourceHost(), s.spec()));
        b.forStateType(Confirming.class)
                .onCommand(Tick.class, this::tickConfirming)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(SourceCompleted.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Progress.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(DestinationConfirmed.class, this::destinationConfirmed)
                .onCommand(DestinationNotRunning.class, this::destinationNotRunning)
                .onCommand(Cancel.class, (s, c) -> reject(c.replyTo(), "migration " + migrationId
                        + " cannot be cancelled: the source completed and the guest is on " + s.spec().destinationHost()));
        b.forStateType(ResumingSource.class)
                .onCommand(Tick.class, this::tickResuming)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(SourceCompleted.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(DestinationNotRunning.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(SourceResumed.class, this::sourceResumed)
                .onCommand(SourceResumeFailed.class, this::sourceResumeFailed)
                .onCommand(Cancel.class, (s, c) -> reject(c.replyTo(), "migration " + migrationId
                        + " cannot be cancelled: it is resuming the guest on " + s.spec().sourceHost()));
        b.forStateType(Completed.class)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(SourceCompleted.class, (s, c) -> repeat(s, c.replyTo()))
                // Late reports of a migration the destination confirmed first: nothing left to learn from them.
                .onCommand(MigrationStarted.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Progress.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(DestinationConfirmed.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Cancel.class, (s, c) -> reject(c.replyTo(), "migration " + migrationId
                        + " cannot be cancelled: it completed and the guest runs on " + s.spec().destinationHost()))
                .onCommand(Tick.class, this::ended);
        b.forStateType(Failed.class)
                .onCommand(Tick.class, this::ended)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(SourceResumed.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(SourceResumeFailed.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(DestinationNotRunning.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(SourceFailed.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(DestinationPrepareFailed.class, (s, c) -> repeat(s, c.replyTo()));
        b.forStateType(Cancelled.class)
                .onCommand(Tick.class, this::ended)
                .onCommand(Create.class, this::repeatCreate)
                .onCommand(Cancel.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(SourceFailed.class, (s, c) -> repeat(s, c.replyTo()));
        b.forStateType(MigrationState.Ended.class)
                .onCommand(MigrationCommand.CleanUpAnswered.class, this::cleanUpAnswered);
        b.forStateType(Empty.class)
                .onCommand(GetDetail.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.error("migration " + migrationId + " does not exist")));
        b.forAnyState()
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.summary(migrationId))))
                .onCommand(GetDetail.class, (s, c) -> {
                    Run r = s.run();
                    return Effect().reply(c.replyTo(), StatusReply.success(new MigrationDetail(s.summary(migrationId),
                            r == null ? null : r.lastRecord(), r == null ? null : r.previousRecord())));
                })
                .onCommand(Tick.class, (s, c) -> Effect().noReply())
                .onCommand(MigrationCommand.KeepWarm.class, (s, c) -> Effect().noReply())
                // A clean-up's answer before the migration ended (stop-destination while resuming the source):
                // nothing to record yet; the ended migration's own clean-up is answered again after a recovery.
                .onCommand(MigrationCommand.CleanUpAnswered.class, (s, c) -> repeat(s, c.replyTo()))
                .onCommand(Replying.class, (s, c) -> reject(c.replyTo(), c.getClass().getSimpleName()
                        + " is not valid for migration " + migrationId + " in phase " + s.phase()
                        + (s instanceof Failed f ? " (" + f.reason() + ")" : s instanceof Cancelled x ? " (" + x.reason() + ")" : "")));
        return b.build();
    }

    /** The clean-up command an ended migration sends ({@link #resend}), or null for none (failed in post-copy). */
    private String cleanUpCommand(MigrationState.Ended s) {
        if (s instanceof Completed) {
            return commandId(migrationId, RETIRE_SOURCE);
        }
        if (s instanceof Failed f && f.failedIn() == Phase.POSTCOPY) {
            return null;
        }
        return commandId(migrationId, STOP_DESTINATION);
    }

    /** Recorded once, for the ended migration's own clean-up: a repeat, or another command's answer, changes nothing. */
    private ReplyEffect<MigrationEvent, MigrationState> cleanUpAnswered(MigrationState.Ended s, MigrationCommand.CleanUpAnswered c) {
        if (s.cleanedUp() || !c.commandId().equals(cleanUpCommand(s))) {
            return repeat(s, c.replyTo());
        }
        return Effect().persist(new MigrationEvent.CleanUpAnswered(migrationId, now(), s.phase(), s.phase(), c.commandId(),
                        c.hostId(), c.ok(), c.error()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    /** Waiting for a report that may have been lost: after {@link #RECONCILE_AFTER}, ask {@code host}'s QEMU, and again every interval. */
    private ReplyEffect<MigrationEvent, MigrationState> reconcile(Instant since, String host, Spec spec) {
        Instant t = now();
        Instant last = lastQueryAt.isAfter(since) ? lastQueryAt : since;
        if (Duration.between(last, t).compareTo(RECONCILE_AFTER) <= 0) {
            return Effect().noReply();
        }
        return Effect().none().thenRun(st -> query(host, spec)).thenNoReply();
    }

    /**
     * An ended migration, or one that was never created, has nothing left to watch: it leaves memory (a later
     * command recovers it).
     */
    private ReplyEffect<MigrationEvent, MigrationState> ended(MigrationState s, Tick c) {
        return Effect().none().thenRun(st -> passivate.run()).thenNoReply();
    }

    private ReplyEffect<MigrationEvent, MigrationState> create(Empty s, Create c) {
        List<String> problems = new ArrayList<>();
        if (blank(c.vmId())) problems.add("vmId is missing");
        if (blank(c.sourceHost())) problems.add("sourceHost is missing");
        if (blank(c.destinationHost())) problems.add("destinationHost is missing");
        if (!blank(c.sourceHost()) && c.sourceHost().equals(c.destinationHost())) {
            problems.add("source and destination are the same host " + c.sourceHost());
        }
        if (c.memoryMiB() < 1) problems.add("memoryMiB must be positive, got " + c.memoryMiB());
        if (c.vcpus() < 1) problems.add("vcpus must be positive, got " + c.vcpus());
        if (c.policy() == null) {
            problems.add("policy is missing");
        } else {
            problems.addAll(c.policy().problems());
        }
        if (!problems.isEmpty()) {
            return reject(c.replyTo(), "migration " + migrationId + " rejected: " + String.join("; ", problems));
        }
        MigrationRequested e = new MigrationRequested(migrationId, now(), Phase.NEW, Phase.PREPARING, c.vmId(),
                c.sourceHost(), c.destinationHost(), c.memoryMiB(), c.vcpus(), c.policy());
        // The destination is asked to prepare as the request is persisted, not after: starting a QEMU that listens is
        // reversible, and nothing migrates to it before the source is armed, which is sent only once the request is in
        // the journal. The destination's QEMU start, the longest step before migrate, so overlaps the journal write. A
        // destination readied for a request that never made it into the journal (the coordinator died, the write
        // failed) has no armed source, and its agent stops it when its lease runs out (AgentConfig.incomingLease).
        Spec spec = new Empty().requested(e).spec();
        sendPrepare(spec);
        return persistAndAnnounce(e)
                .thenRun(st -> sendArm(spec)) // the source configures its QEMU and waits for the destination's uri
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> repeatCreate(MigrationState s, Create c) {
        Spec spec = s.spec();
        boolean same = spec != null && Objects.equals(spec.vmId(), c.vmId()) && Objects.equals(spec.sourceHost(), c.sourceHost())
                && Objects.equals(spec.destinationHost(), c.destinationHost()) && spec.memoryMiB() == c.memoryMiB()
                && spec.vcpus() == c.vcpus() && Objects.equals(spec.policy(), c.policy());
        if (same) {
            return repeat(s, c.replyTo());
        }
        return reject(c.replyTo(), "migration " + migrationId + " already exists for VM " + spec.vmId() + " from "
                + spec.sourceHost() + " to " + spec.destinationHost() + " with another request");
    }

    private ReplyEffect<MigrationEvent, MigrationState> destinationPrepared(Preparing s, MigrationCommand.DestinationPrepared c) {
        if (blank(c.uri())) {
            return reject(c.replyTo(), "destination prepared for migration " + migrationId + " without a uri");
        }
        Instant t = now();
        long limit = s.spec().policy().downtimeLimitAtStep(1);
        // Both events in one atomic write. The destination's agent has told the source already (its hand-off); should
        // the source not report it started within HAND_OFF_GRACE, the coordinator tells it too, under the same id
        // (tickMigrating): the source acts on the first.
        List<MigrationEvent> events = List.of(
                new MigrationEvent.DestinationPrepared(migrationId, t, Phase.PREPARING, Phase.PREPARED, null, c.uri()),
                new MigrateIssued(migrationId, t, Phase.PREPARED, Phase.MIGRATING, commandId(migrationId, DESTINATION_READY), c.uri(), limit));
        return persistAndAnnounce(events)
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)))
                .thenUnstashAll();
    }

    private ReplyEffect<MigrationEvent, MigrationState> repeatPrepared(String uri, MigrationState s, MigrationCommand.DestinationPrepared c) {
        if (Objects.equals(uri, c.uri())) {
            return repeat(s, c.replyTo());
        }
        return reject(c.replyTo(), "migration " + migrationId + " already migrates to " + uri + ", not " + c.uri());
    }

    /** The destination did not listen, so it told the source nothing: the armed source is told to stand down. */
    private ReplyEffect<MigrationEvent, MigrationState> destinationPrepareFailed(Preparing s, DestinationPrepareFailed c) {
        String reason = "the destination host " + s.spec().destinationHost() + " could not prepare: " + c.error();
        return persistAndAnnounce(new MigrationFailed(migrationId, now(), Phase.PREPARING, Phase.FAILED, reason))
                .thenRun(st -> sendCancel(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)))
                .thenUnstashAll();
    }

    /**
     * Whether the source reported on this migration while it was preparing (not persisted: after a restart the
     * destination's result is asked for again, and it settles the phase).
     */
    private boolean sourceHeardWhilePreparing;

    private ReplyEffect<MigrationEvent, MigrationState> stashSourceReport() {
        sourceHeardWhilePreparing = true;
        return Effect().stash();
    }

    /** The source refused to arm (the VM is not there, or busy) or its run failed: the destination is not needed. */
    private ReplyEffect<MigrationEvent, MigrationState> sourceFailedWhilePreparing(Preparing s, SourceFailed c) {
        String reason = "the source host " + s.spec().sourceHost() + " reports the migration failed: " + c.errorDesc();
        return persistAndAnnounce(new MigrationFailed(migrationId, now(), Phase.PREPARING, Phase.FAILED, reason))
                .thenRun(st -> stopDestination(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)))
                .thenUnstashAll();
    }

    /**
     * A cancel while the destination prepares goes through the source, as while migrating: the destination may
     * already have told the source to migrate, and a migration that completed before a stop reached the destination
     * would lose the guest. The source stands down (or cancels, or reports completed) and says so.
     */
    private ReplyEffect<MigrationEvent, MigrationState> cancelWhilePreparing(Preparing s, Cancel c) {
        return persistAndAnnounce(new CancellationRequested(migrationId, now(), Phase.PREPARING, Phase.CANCELLING,
                        "cancelled by request: " + reasonOf(c), commandId(migrationId, CANCEL)))
                .thenRun(st -> sendCancel(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)))
                .thenUnstashAll();
    }

    /**
     * No word from the destination for {@link #PREPARE_TIMEOUT}: it did not listen, so it told the source nothing
     * either, and the migration fails, the armed source stands down and the destination is stopped. A source that did
     * report meanwhile heard from the destination, so this waits on for the destination's result (or a query).
     */
    private ReplyEffect<MigrationEvent, MigrationState> tickPreparing(Preparing s, Tick c) {
        Duration waited = Duration.between(s.spec().requestedAt(), now());
        if (waited.compareTo(PREPARE_TIMEOUT) <= 0 || sourceHeardWhilePreparing) {
            return Effect().noReply();
        }
        String reason = "the destination host " + s.spec().destinationHost() + " did not prepare within "
                + PREPARE_TIMEOUT.toSeconds() + " s";
        return persistAndAnnounce(new MigrationFailed(migrationId, now(), Phase.PREPARING, Phase.FAILED, reason))
                .thenRun(st -> {
                    sendCancel(s.spec());
                    stopDestination(s.spec());
                })
                .thenNoReply()
                .thenUnstashAll();
    }

    private ReplyEffect<MigrationEvent, MigrationState> migrationStarted(Migrating s, MigrationStarted c) {
        if (s.run().sourceStarted()) {
            return repeat(s, c.replyTo());
        }
        return persistAndAnnounce(new SourceStarted(migrationId, now(), Phase.MIGRATING, Phase.MIGRATING))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    /** A sample: ordered checks of what QEMU reports first, then the sample itself and the ladder. */
    private ReplyEffect<MigrationEvent, MigrationState> progress(Live s, Progress c) {
        if (c.info() == null || c.sampledAt() == null) {
            return reject(c.replyTo(), "progress of migration " + migrationId + " without a sample or its time");
        }
        Run run = s.run();
        if (run == null) {
            // Cancelled while the destination prepared: QEMU's status may still be an earlier migration's (the VM came
            // here by one), so only the source agent's verdict on this migration (its outcome) ends it.
            return repeat(s, c.replyTo());
        }
        MigrationStatus status = c.info().status();
        if (status == MigrationStatus.COMPLETED) {
            return switchover(s, c.replyTo());
        }
        if (status == MigrationStatus.FAILED || status == MigrationStatus.CANCELLED) {
            return sourceFailed(s, new SourceFailed(c.info().errorDesc() != null ? c.info().errorDesc()
                    : "QEMU on the source reports " + status.raw(), c.replyTo()));
        }
        if (run.lastSampleAt() != null && !c.sampledAt().isAfter(run.lastSampleAt())) {
            return repeat(s, c.replyTo()); // a redelivered or older sample
        }
        if (s instanceof Cancelling) {
            return repeat(s, c.replyTo()); // samples while cancelling change nothing
        }
        Instant t = now();
        ProgressRecorded rec = recorded(s.phase(), run, c.info(), c.sampledAt(), t);
        List<MigrationEvent> events = new ArrayList<>();
        events.add(rec);
        if (s instanceof Migrating m) {
            Migrating after = m.recorded(rec);
            if (status != null && status.isPostcopy()) {
                events.add(new PostcopySwitchRequested(migrationId, t, Phase.MIGRATING, Phase.POSTCOPY,
                        "the source reports " + status.raw() + ": QEMU switched to post-copy", commandId(migrationId, POSTCOPY)));
            } else {
                events.addAll(ladder(after, t));
            }
        }
        if (events.size() == 1 && rec.newPass() == run.pass() && !dueForRecord(run, c.sampledAt())) {
            return repeat(s, c.replyTo()); // weighed: the same pass, nothing to decide, and the last record is recent
        }
        return persistAndAnnounce(events)
                .thenRun(st -> sendForLadder(s, st))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    /** Whether a sample taken at {@code sampledAt} is due to be recorded: see {@link #PROGRESS_RECORD_INTERVAL}. */
    static boolean dueForRecord(Run run, Instant sampledAt) {
        Instant since = run.lastSampleAt() != null ? run.lastSampleAt() : run.issuedAt();
        return since == null || !sampledAt.isBefore(since.plus(PROGRESS_RECORD_INTERVAL));
    }

    private ReplyEffect<MigrationEvent, MigrationState> tickMigrating(Migrating s, Tick c) {
        Instant t = now();
        // A source that sends samples migrates, whether or not its started answer came in.
        boolean handOffLate = !s.run().sourceStarted() && s.run().lastSampleAt() == null && !handOffResent
                && Duration.between(s.run().issuedAt(), t).compareTo(HAND_OFF_GRACE) >= 0;
        if (handOffLate) {
            handOffResent = true;
        }
        List<MigrationEvent> events = ladder(s, t);
        if (events.isEmpty()) {
            return handOffLate ? Effect().none().thenRun(st -> sendDestinationReady(s)).thenNoReply() : Effect().noReply();
        }
        return persistAndAnnounce(events).thenRun(st -> {
            if (handOffLate) {
                sendDestinationReady(s);
            }
            sendForLadder(s, st);
        }).thenNoReply();
    }

    /** Whether the coordinator sent destination-ready itself (not persisted: after a restart it is re-sent at once). */
    private boolean handOffResent;

    /** The ladder's decision on {@code m} as events (none for "nothing to do"). */
    private List<MigrationEvent> ladder(Migrating m, Instant t) {
        Run r = m.run();
        CoordinatorPolicy policy = m.spec().policy();
        ConvergenceLadder.Decision d = ConvergenceLadder.decide(policy, new ConvergenceLadder.Input(
                m.spec().memoryBytes(), r.issuedAt(), r.lastProgressAt(), t, r.pass(), r.lastDecisionPass(),
                r.remaining(), r.expectedDowntimeMs(), r.downtimeLimitMs(), r.autoConvergeOn(), false));
        return switch (d.kind()) {
            case NONE -> List.of();
            case RAISE_DOWNTIME_LIMIT -> List.of(new ConvergenceDecisionTaken(migrationId, t,
                    Phase.MIGRATING, Phase.MIGRATING, d.kind(), d.reason(), r.pass(), r.downtimeLimitMs(),
                    d.downtimeLimitMs(), commandId(migrationId, tuneStep(r.tunes() + 1))));
            case SWITCH_TO_POSTCOPY -> List.of(new PostcopySwitchRequested(migrationId, t, Phase.MIGRATING,
                    Phase.POSTCOPY, d.reason(), commandId(migrationId, POSTCOPY)));
            case CANCEL -> List.of(new CancellationRequested(migrationId, t, Phase.MIGRATING, Phase.CANCELLING,
                    d.reason(), commandId(migrationId, CANCEL)));
        };
    }

    /** After the ladder's events are persisted: send what the transition from {@code before} to {@code after} needs. */
    private void sendForLadder(MigrationState before, MigrationState after) {
        if (after instanceof Migrating m && before instanceof Migrating b && m.run().tunes() > b.run().tunes()) {
            sendTune(m.spec(), m.run());
        } else if (after instanceof Postcopy p && before instanceof Migrating) {
            sendPostcopy(p.spec());
        } else if (after instanceof Cancelling x && before instanceof Migrating) {
            sendCancel(x.spec());
        }
    }

    private ReplyEffect<MigrationEvent, MigrationState> switchover(Live s, ActorRef<StatusReply<MigrationSummary>> replyTo) {
        return persistAndAnnounce(new SwitchoverCompleted(migrationId, now(), s.phase(), Phase.CONFIRMING))
                .thenRun(st -> query(s.spec().destinationHost(), s.spec()))
                .thenReply(replyTo, st -> StatusReply.success(st.summary(migrationId)));
    }

    /**
     * The destination reports the incoming migration completed and the guest running before the source's verdict
     * arrived: the guest's whole state is on the destination, so the source has completed too. Switchover and
     * completion in one write, then the source is retired (its agent waits for its own verdict).
     */
    private ReplyEffect<MigrationEvent, MigrationState> confirmedBeforeSource(Live s, DestinationConfirmed c) {
        Instant t = now();
        return persistAndAnnounce(List.of(new SwitchoverCompleted(migrationId, t, s.phase(), Phase.CONFIRMING),
                        new MigrationCompleted(migrationId, t, Phase.CONFIRMING, Phase.COMPLETED, commandId(migrationId, RETIRE_SOURCE))))
                .thenRun(st -> retireSource(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> sourceFailed(Live s, SourceFailed c) {
        Instant t = now();
        if (s instanceof Cancelling x) {
            return persistAndAnnounce(new MigrationCancelled(migrationId, t, Phase.CANCELLING, Phase.CANCELLED, x.reason()))
                    .thenRun(st -> stopDestination(s.spec()))
                    .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
        }
        if (s instanceof Postcopy) {
            // No clean-up: in post-copy the destination holds the guest's newest state.
            String reason = "the migration failed in post-copy: " + c.errorDesc()
                    + "; the guest's memory is split between the hosts and needs post-copy recovery";
            return persistAndAnnounce(new MigrationFailed(migrationId, t, Phase.POSTCOPY, Phase.FAILED, reason))
                    .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
        }
        String reason = "the source host " + s.spec().sourceHost() + " reports the migration failed: " + c.errorDesc();
        return persistAndAnnounce(new MigrationFailed(migrationId, t, s.phase(), Phase.FAILED, reason))
                .thenRun(st -> stopDestination(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> cancelMigrating(Migrating s, Cancel c) {
        return persistAndAnnounce(new CancellationRequested(migrationId, now(), Phase.MIGRATING, Phase.CANCELLING,
                        "cancelled by request: " + reasonOf(c), commandId(migrationId, CANCEL)))
                .thenRun(st -> sendCancel(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    /**
     * Unconfirmed: ask the destination again every {@link #CONFIRM_REQUERY}; past {@link #CONFIRM_TIMEOUT},
     * record once that confirmation is overdue, and go on asking.
     */
    private ReplyEffect<MigrationEvent, MigrationState> tickConfirming(Confirming s, Tick c) {
        Instant t = now();
        Duration waited = Duration.between(s.since(), t);
        if (s.overdue() == null && waited.compareTo(CONFIRM_TIMEOUT) > 0) {
            String reason = "the destination host " + s.spec().destinationHost() + " has not confirmed it runs the guest "
                    + waited.toSeconds() + " s after the switchover (" + (lastDestinationState == null ? "no answer to "
                    + "its queries" : "it last reported the VM " + lastDestinationState) + "); the source "
                    + s.spec().sourceHost() + " keeps the guest paused and nothing is resumed while the destination may run it";
            return persistAndAnnounce(new ConfirmationOverdue(migrationId, t, Phase.CONFIRMING, Phase.CONFIRMING, reason))
                    .thenRun(st -> query(s.spec().destinationHost(), s.spec()))
                    .thenNoReply();
        }
        Instant last = lastQueryAt.isAfter(s.since()) ? lastQueryAt : s.since();
        if (Duration.between(last, t).compareTo(CONFIRM_REQUERY) < 0) {
            return Effect().noReply();
        }
        return Effect().none().thenRun(st -> query(s.spec().destinationHost(), s.spec())).thenNoReply();
    }

    /**
     * The destination answered, but not "running". A state that proves the guest is not there ends the wait:
     * after pre-copy the source still holds the whole guest, so the phase is persisted and the source is told to
     * resume it (the destination is stopped first); after post-copy the guest's newest state was on the
     * destination, so the migration fails and nothing is resumed. Any other state ("inmigrate": still loading)
     * is asked again.
     */
    private ReplyEffect<MigrationEvent, MigrationState> destinationNotRunning(Confirming s, DestinationNotRunning c) {
        lastDestinationState = c.vmState();
        if (c.vmState() == null || !LOST_VM_STATES.contains(c.vmState())) {
            return repeat(s, c.replyTo());
        }
        Instant t = now();
        String lost = "the destination host " + s.spec().destinationHost() + " reports the VM " + c.vmState()
                + " after the switchover, so the guest does not run there";
        if (s.from() == Phase.POSTCOPY) {
            String reason = lost + "; the migration went through post-copy, so the guest's newest state was on the"
                    + " destination and the source's copy is stale: the guest is lost and is not resumed on " + s.spec().sourceHost();
            return persistAndAnnounce(new MigrationFailed(migrationId, t, Phase.CONFIRMING, Phase.FAILED, reason))
                    .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
        }
        String reason = lost + "; the source " + s.spec().sourceHost() + " still holds the whole guest, paused, and is told to resume it";
        return persistAndAnnounce(new DestinationLost(migrationId, t, Phase.CONFIRMING, Phase.RESUMING_SOURCE, reason, c.vmState(),
                        commandId(migrationId, STOP_DESTINATION), commandId(migrationId, RESUME_SOURCE)))
                .thenRun(st -> {
                    stopDestination(s.spec());
                    resumeSource(s.spec());
                })
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    /** No answer to resume-source yet: after {@link #RECONCILE_AFTER}, send it again under its id (the agent answers a repeat with its first result). */
    private ReplyEffect<MigrationEvent, MigrationState> tickResuming(ResumingSource s, Tick c) {
        Instant t = now();
        Instant last = lastQueryAt.isAfter(s.since()) ? lastQueryAt : s.since();
        if (Duration.between(last, t).compareTo(RECONCILE_AFTER) <= 0) {
            return Effect().noReply();
        }
        lastQueryAt = t;
        return Effect().none().thenRun(st -> resumeSource(s.spec())).thenNoReply();
    }

    private ReplyEffect<MigrationEvent, MigrationState> sourceResumed(ResumingSource s, SourceResumed c) {
        String reason = lostAfterSwitchover(s) + "; the guest was resumed on the source " + s.spec().sourceHost() + " and runs there";
        return persistAndAnnounce(new MigrationFailed(migrationId, now(), Phase.RESUMING_SOURCE, Phase.FAILED, reason))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> sourceResumeFailed(ResumingSource s, SourceResumeFailed c) {
        String reason = lostAfterSwitchover(s) + "; resuming it on the source " + s.spec().sourceHost()
                + " failed: " + c.error() + "; the guest runs nowhere and needs an operator";
        return persistAndAnnounce(new MigrationFailed(migrationId, now(), Phase.RESUMING_SOURCE, Phase.FAILED, reason))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private static String lostAfterSwitchover(ResumingSource s) {
        return "the destination host " + s.spec().destinationHost() + " lost the guest after the switchover (it reports the VM "
                + s.destinationVmState() + ")";
    }

    private ReplyEffect<MigrationEvent, MigrationState> destinationConfirmed(Confirming s, DestinationConfirmed c) {
        return persistAndAnnounce(new MigrationCompleted(migrationId, now(), Phase.CONFIRMING, Phase.COMPLETED,
                        commandId(migrationId, RETIRE_SOURCE)))
                .thenRun(st -> retireSource(s.spec()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> repeat(MigrationState s,
                                                               ActorRef<StatusReply<MigrationSummary>> replyTo) {
        return Effect().reply(replyTo, StatusReply.success(s.summary(migrationId)));
    }

    private ReplyEffect<MigrationEvent, MigrationState> reject(
            ActorRef<StatusReply<MigrationSummary>> replyTo, String why) {
        return Effect().reply(replyTo, StatusReply.error(why));
    }

    private ProgressRecorded recorded(Phase phase, Run run, MigrationInfo info, Instant sampledAt, Instant t) {
        Long remaining = info.ram() != null ? info.ram().remaining() : null;
        Long syncs = info.ram() != null ? info.ram().dirtySyncCount() : null;
        long pass = syncs != null ? Math.max(run.pass(), syncs) : run.pass();
        return new ProgressRecorded(migrationId, t, phase, phase, sampledAt,
                info.status() != null ? info.status().raw() : null, run.pass(), pass, remaining,
                info.ram() != null ? info.ram().transferred() : null,
                info.ram() != null ? info.ram().dirtyPagesRate() : null,
                info.expectedDowntime(), info.cpuThrottlePercentage(), run.isNewLow(remaining));
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<MigrationState, MigrationEvent> eventHandler() {
        EventHandlerBuilder<MigrationState, MigrationEvent> b = newEventHandlerBuilder();
        b.forStateType(Empty.class)
                .onEvent(MigrationRequested.class, Empty::requested);
        b.forStateType(Preparing.class)
                .onEvent(MigrationEvent.DestinationPrepared.class, Preparing::prepared)
                .onEvent(CancellationRequested.class, Preparing::cancelling);
        b.forStateType(Prepared.class)
                .onEvent(MigrateIssued.class, Prepared::issued);
        b.forStateType(Migrating.class)
                .onEvent(SourceStarted.class, Migrating::started)
                .onEvent(ProgressRecorded.class, Migrating::recorded)
                .onEvent(ConvergenceDecisionTaken.class, Migrating::decided)
                .onEvent(PostcopySwitchRequested.class, Migrating::postcopy)
                .onEvent(CancellationRequested.class, Migrating::cancelling)
                .onEvent(SwitchoverCompleted.class, Migrating::switchedOver);
        b.forStateType(Postcopy.class)
                .onEvent(ProgressRecorded.class, Postcopy::recorded)
                .onEvent(SwitchoverCompleted.class, Postcopy::switchedOver);
        b.forStateType(Cancelling.class)
                .onEvent(SwitchoverCompleted.class, Cancelling::switchedOver);
        b.forStateType(Confirming.class)
                .onEvent(MigrationCompleted.class, Confirming::completed)
                .onEvent(ConfirmationOverdue.class, (Confirming st, ConfirmationOverdue e) -> st.overdue(e))
                .onEvent(DestinationLost.class, (Confirming st, DestinationLost e) -> st.lost(e));
        b.forStateType(Cancellable.class)
                .onEvent(MigrationCancelled.class, Cancellable::cancelled)
                .onEvent(MigrationFailed.class, (st, e) -> st.failed(e));
        b.forStateType(Live.class)
                .onEvent(MigrationFailed.class, Live::failed);
        b.forStateType(MigrationState.Ended.class)
                .onEvent(MigrationEvent.CleanUpAnswered.class, (MigrationState.Ended st, MigrationEvent.CleanUpAnswered e) -> st.cleanedUp(e));
        return b.build();
    }

    // ---------------------------------------------------------------- recovery

    @Override
    public SignalHandler<MigrationState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::resend)
                .build();
    }

    /**
     * After a restart nothing tells whether the last command reached its agent: re-send the current phase's
     * command under its original id (the agent answers a repeat without acting twice), and ask the source
     * what QEMU reports, to reconcile.
     */
    private void resend(MigrationState s) {
        if (s instanceof Preparing p) {
            sendPrepare(p.spec());
            sendArm(p.spec());
        } else if (s instanceof Migrating m) {
            sendArm(m.spec());
            sendDestinationReady(m);
            handOffResent = true;
            if (m.run().tunes() > 0) {
                sendTune(m.spec(), m.run());
            }
            query(m.spec().sourceHost(), m.spec());
        } else if (s instanceof Postcopy p) {
            sendPostcopy(p.spec());
            query(p.spec().sourceHost(), p.spec());
        } else if (s instanceof Cancelling x) {
            sendCancel(x.spec());
            query(x.spec().sourceHost(), x.spec());
        } else if (s instanceof Confirming c) {
            query(c.spec().destinationHost(), c.spec());
        } else if (s instanceof ResumingSource r) {
            stopDestination(r.spec());
            resumeSource(r.spec());
        } else if (s instanceof MigrationState.Ended e && e.cleanedUp()) {
            // Its agent answered the clean-up already: nothing to send. (An ended migration is woken by a reader,
            // `drover show` say, long after: re-sending then would reach a host where the VM may run again.)
        } else if (s instanceof Completed c) {
            retireSource(c.spec());
        } else if (s instanceof Failed f) {
            if (f.failedIn() != Phase.POSTCOPY) { // in post-copy the destination holds the newest state
                stopDestination(f.spec());
            }
        } else if (s instanceof Cancelled c) {
            stopDestination(c.spec());
        }
        // Empty: nothing to do. Prepared: never the state after a write (issued in the same write).
    }

    // ---------------------------------------------------------------- agent commands

    /** The destination prepares, and once it listens tells the source itself (its hand-off). */
    private void sendPrepare(Spec spec) {
        gateway.send(new AgentCommand.PrepareIncoming(commandId(migrationId, PREPARE), spec.destinationHost(),
                spec.vmId(), migrationId, spec.memoryMiB(), spec.vcpus(), agentPolicy(spec, spec.policy().downtimeLimitAtStep(1)),
                new AgentCommand.HandOff(spec.sourceHost(), commandId(migrationId, DESTINATION_READY))));
    }

    /** The source configures its QEMU and waits, armed, for the destination's uri. */
    private void sendArm(Spec spec) {
        gateway.send(new AgentCommand.StartMigration(commandId(migrationId, MIGRATE), spec.sourceHost(), spec.vmId(),
                migrationId, null, agentPolicy(spec, spec.policy().downtimeLimitAtStep(1))));
    }

    /** The destination listens on the run's uri: what its agent told the source already, under the same id. */
    private void sendDestinationReady(Migrating m) {
        Spec spec = m.spec();
        gateway.send(new AgentCommand.DestinationReady(commandId(migrationId, DESTINATION_READY), spec.sourceHost(),
                spec.vmId(), migrationId, m.run().uri()));
    }

    /** A tune carries the ladder's whole tuned state (the downtime limit), so re-sending tune-N after a recovery sends exactly what was first sent. */
    private void sendTune(Spec spec, Run run) {
        gateway.send(new AgentCommand.TuneMigration(commandId(migrationId, tuneStep(run.tunes())), spec.sourceHost(),
                spec.vmId(), migrationId, run.downtimeLimitMs(), null, null, null));
    }

    private void sendPostcopy(Spec spec) {
        gateway.send(new AgentCommand.TuneMigration(commandId(migrationId, POSTCOPY), spec.sourceHost(), spec.vmId(),
                migrationId, null, null, null, true));
    }

    private void sendCancel(Spec spec) {
        gateway.send(new AgentCommand.CancelMigration(commandId(migrationId, CANCEL), spec.sourceHost(), spec.vmId(), migrationId));
    }

    private void retireSource(Spec spec) {
        gateway.send(new AgentCommand.RetireVm(commandId(migrationId, RETIRE_SOURCE), spec.sourceHost(), spec.vmId(), migrationId));
    }

    private void resumeSource(Spec spec) {
        gateway.send(new AgentCommand.ResumeSource(commandId(migrationId, RESUME_SOURCE), spec.sourceHost(), spec.vmId(), migrationId));
    }

    private void stopDestination(Spec spec) {
        gateway.send(new AgentCommand.StopVm(commandId(migrationId, STOP_DESTINATION), spec.destinationHost(), spec.vmId(), true));
    }

    /**
     * Queries are reads, not steps: each asks afresh, under an id naming the end asked and the moment
     * ({@code query-source-<ms>}, {@code query-destination-<ms>}), so the agent answers with QEMU's state
     * now rather than with a deduplicated old answer, and the answer can be routed by its id alone.
     */
    private void query(String host, Spec spec) {
        lastQueryAt = now();
        String step = (host.equals(spec.destinationHost()) ? QUERY_DESTINATION : QUERY_SOURCE) + lastQueryAt.toEpochMilli();
        gateway.send(new AgentCommand.QueryMigration(commandId(migrationId, step), host, spec.vmId(), migrationId));
    }

    /** What the agents get: see {@link CoordinatorPolicy#initialMigrationPolicy()}. */
    static MigrationPolicy agentPolicy(Spec spec, long downtimeLimitMs) {
        return spec.policy().initialMigrationPolicy().toBuilder().downtimeLimitMs(downtimeLimitMs).build();
    }

    // ---------------------------------------------------------------- helpers

    private Instant now() {
        return clock.instant();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String reasonOf(Cancel c) {
        return blank(c.reason()) ? "no reason given" : c.reason();
    }


}
