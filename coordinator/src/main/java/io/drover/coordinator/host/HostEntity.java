package io.drover.coordinator.host;

import io.drover.coordinator.host.HostCommand.*;
import io.drover.coordinator.host.HostEvent.*;
import io.drover.coordinator.host.HostState.*;
import io.drover.events.HostStatus;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One host, event-sourced under persistence id {@code Host|<id>}: its agent's registration (QEMU version,
 * accelerator, capacity, VMs) and its liveness from heartbeats.
 *
 * <p>Heartbeats are not persisted while the host is up (one every 10 s per host would be most of the
 * journal); only the changes are: registered, went down, came back. The time of the last heartbeat is
 * kept in memory, and after a coordinator restart every host gets a full timeout from the recovery.
 */
public final class HostEntity extends EventSourcedBehaviorWithEnforcedReplies<HostCommand, HostEvent, HostState> {

    public static final EntityTypeKey<HostCommand> TYPE_KEY = EntityTypeKey.create(HostCommand.class, "Host");

    /**
     * A host is down after this long without a heartbeat: three of the agent's 10 s heartbeats
     * (AgentConfig.DEFAULT_HEARTBEAT_INTERVAL) — one lost record or a GC pause is not an outage, three in a
     * row are, and a migration is not planned onto a host that silent.
     */
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

    private final String hostId;
    private final Clock clock;
    private final Duration heartbeatTimeout;
    /** When the last heartbeat (or registration, or recovery) was seen; not persisted. */
    private Instant lastSeen;
    private long lastSequence = -1;

    private HostEntity(String hostId, Clock clock, Duration heartbeatTimeout) {
        super(PersistenceId.of(TYPE_KEY.name(), hostId));
        this.hostId = hostId;
        this.clock = clock;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    /** The entity, checking liveness every {@code checkInterval}. */
    public static Behavior<HostCommand> create(String hostId, Clock clock, Duration heartbeatTimeout, Duration checkInterval) {
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay("liveness", new CheckLiveness(), checkInterval);
            return new HostEntity(hostId, clock, heartbeatTimeout);
        });
    }

    /** In production: the real clock, {@link #HEARTBEAT_TIMEOUT}, checked every second. */
    public static Behavior<HostCommand> create(String hostId) {
        return create(hostId, Clock.systemUTC(), HEARTBEAT_TIMEOUT, Duration.ofSeconds(1));
    }

    @Override
    public HostState emptyState() {
        return new Unknown();
    }

    @Override
    public CommandHandlerWithReply<HostCommand, HostEvent, HostState> commandHandler() {
        CommandHandlerWithReplyBuilder<HostCommand, HostEvent, HostState> b = newCommandHandlerWithReplyBuilder();
        b.forStateType(Unknown.class)
                .onCommand(Register.class, (s, c) -> register(s, null, Liveness.UNKNOWN, c))
                .onCommand(Heartbeat.class, (s, c) -> reject(c.replyTo(), "host " + hostId
                        + " is not registered: its agent must register before it heartbeats"))
                .onCommand(Get.class, (s, c) -> reject(c.replyTo(), "host " + hostId + " is not registered"));
        b.forStateType(Up.class)
                .onCommand(Register.class, (s, c) -> register(s, s.registration(), Liveness.UP, c))
                .onCommand(Heartbeat.class, this::heartbeatWhileUp)
                .onCommand(CheckLiveness.class, this::checkLiveness);
        b.forStateType(Down.class)
                .onCommand(Register.class, (s, c) -> register(s, s.registration(), Liveness.DOWN, c))
                .onCommand(Heartbeat.class, this::heartbeatWhileDown);
        b.forAnyState()
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.summary(hostId))))
                .onCommand(CheckLiveness.class, (s, c) -> Effect().noReply());
        return b.build();
    }

    private ReplyEffect<HostEvent, HostState> register(HostState s, HostStatus current, Liveness from, Register c) {
        String wrong = wrongHost(c.status());
        if (wrong != null) {
            return reject(c.replyTo(), wrong);
        }
        if (c.status().equals(current)) {
            return Effect().reply(c.replyTo(), StatusReply.success(s.summary(hostId)));
        }
        Instant t = now();
        return Effect().persist(new HostRegistered(hostId, t, from, Liveness.UP, current, c.status()))
                .thenRun(st -> seen(t, c.status().sequence()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(hostId)));
    }

    private ReplyEffect<HostEvent, HostState> heartbeatWhileUp(Up s, Heartbeat c) {
        String wrong = wrongAgent(s.registration(), c.status());
        if (wrong != null) {
            return reject(c.replyTo(), wrong);
        }
        if (c.status().sequence() <= lastSequence) {
            return Effect().reply(c.replyTo(), StatusReply.success(s.summary(hostId))); // a redelivery
        }
        Instant t = now();
        if (!Objects.equals(s.registration().vms(), c.status().vms())) {
            // The host's VMs changed (one was started, migrated in, retired): the heartbeat carries the new list,
            // which the API's VM list and the source look-up of POST /api/migrations read; so it is persisted,
            // as a registration of the same agent. Unchanged heartbeats stay in memory only.
            return Effect().persist(new HostRegistered(hostId, t, Liveness.UP, Liveness.UP, s.registration(), c.status()))
                    .thenRun(st -> seen(t, c.status().sequence()))
                    .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(hostId)));
        }
        return Effect().none()
                .thenRun(st -> seen(t, c.status().sequence()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(hostId)));
    }

    private ReplyEffect<HostEvent, HostState> heartbeatWhileDown(Down s, Heartbeat c) {
        String wrong = wrongAgent(s.registration(), c.status());
        if (wrong != null) {
            return reject(c.replyTo(), wrong);
        }
        if (c.status().sequence() <= lastSequence) {
            return Effect().reply(c.replyTo(), StatusReply.success(s.summary(hostId)));
        }
        Instant t = now();
        return Effect().persist(new HostCameBack(hostId, t, Liveness.DOWN, Liveness.UP, s.since(), c.status().sequence()))
                .thenRun(st -> seen(t, c.status().sequence()))
                .thenReply(c.replyTo(), st -> StatusReply.success(st.summary(hostId)));
    }

    private ReplyEffect<HostEvent, HostState> checkLiveness(Up s, CheckLiveness c) {
        Instant t = now();
        Duration silent = Duration.between(lastSeen, t);
        if (silent.compareTo(heartbeatTimeout) <= 0) {
            return Effect().noReply();
        }
        String reason = "no heartbeat from host " + hostId + " for " + silent.toMillis() + " ms (timeout "
                + heartbeatTimeout.toMillis() + " ms)";
        return Effect().persist(new HostWentDown(hostId, t, Liveness.UP, Liveness.DOWN, lastSeen, reason)).thenNoReply();
    }

    private String wrongHost(HostStatus status) {
        if (status == null) {
            return "registration of host " + hostId + " without a status";
        }
        if (!hostId.equals(status.hostId())) {
            return "status of host " + status.hostId() + " sent to host " + hostId;
        }
        return null;
    }

    private String wrongAgent(HostStatus registered, HostStatus status) {
        String wrong = wrongHost(status);
        if (wrong != null) {
            return wrong;
        }
        if (!Objects.equals(registered.agentStarted(), status.agentStarted())) {
            return "heartbeat of host " + hostId + " from an agent started at " + status.agentStarted()
                    + ", but the registered agent started at " + registered.agentStarted() + ": it must register again";
        }
        return null;
    }

    private void seen(Instant t, long sequence) {
        lastSeen = t;
        lastSequence = sequence;
    }

    private ReplyEffect<HostEvent, HostState> reject(ActorRef<StatusReply<HostSummary>> replyTo, String why) {
        return Effect().reply(replyTo, StatusReply.error(why));
    }

    private Instant now() {
        return clock.instant();
    }

    @Override
    public EventHandler<HostState, HostEvent> eventHandler() {
        EventHandlerBuilder<HostState, HostEvent> b = newEventHandlerBuilder();
        b.forStateType(Unknown.class).onEvent(HostRegistered.class, Unknown::registered);
        b.forStateType(Up.class)
                .onEvent(HostRegistered.class, Up::registered)
                .onEvent(HostWentDown.class, Up::wentDown);
        b.forStateType(Down.class)
                .onEvent(HostRegistered.class, Down::registered)
                .onEvent(HostCameBack.class, Down::cameBack);
        return b.build();
    }

    @Override
    public SignalHandler<HostState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> lastSeen = now()) // a full timeout from the recovery
                .build();
    }
}
