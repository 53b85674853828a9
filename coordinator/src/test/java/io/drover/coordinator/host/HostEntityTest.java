package io.drover.coordinator.host;

import io.drover.coordinator.host.HostCommand.*;
import io.drover.coordinator.host.HostEvent.*;
import io.drover.coordinator.host.HostState.*;
import io.drover.coordinator.testing.MutableClock;
import io.drover.coordinator.testing.UnitTestConfig;
import io.drover.events.HostStatus;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class HostEntityTest {
    static ActorTestKit testKit;
    static final Instant T0 = Instant.parse("2026-11-21T20:00:00Z");
    static final Instant AGENT_STARTED = Instant.parse("2026-11-21T19:59:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    MutableClock clock;
    String id;
    EventSourcedBehaviorTestKit<HostCommand, HostEvent, HostState> kit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("HostEntityTest", UnitTestConfig.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        clock = new MutableClock(T0);
        id = "kvm-" + UUID.randomUUID().toString().substring(0, 6);
        kit = EventSourcedBehaviorTestKit.create(testKit.system(), HostEntity.create(id, clock, TIMEOUT, Duration.ofHours(1)));
    }

    HostStatus status(long sequence, Instant agentStarted, String... vms) {
        List<HostStatus.VmState> v = java.util.Arrays.stream(vms).map(vm -> new HostStatus.VmState(vm, "running", 512, 1)).toList();
        return new HostStatus(id, "7.2.22", "qemu 7.2 (2017 vocabulary translated)", "kvm", 16384, 8, v, sequence, agentStarted);
    }

    CommandResultWithReply<HostCommand, HostEvent, HostState, StatusReply<HostSummary>> run(
            Function<ActorRef<StatusReply<HostSummary>>, HostCommand> c) {
        return kit.runCommand(c);
    }

    static HostEvent only(CommandResultWithReply<HostCommand, HostEvent, HostState, StatusReply<HostSummary>> r, Class<?> type) {
        assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
        assertEquals(1, r.events().size(), () -> r.events().toString());
        assertEquals(type, r.events().get(0).getClass());
        return r.events().get(0);
    }

    static void noEvents(CommandResultWithReply<HostCommand, HostEvent, HostState, StatusReply<HostSummary>> r, boolean success) {
        assertEquals(success, r.reply().isSuccess(), () -> r.reply().toString());
        assertTrue(r.hasNoEvents(), () -> r.events().toString());
    }

    @Test
    void registrationIsPersistedWithWhatTheHostOffers() {
        HostStatus reg = status(0, AGENT_STARTED, "vm-1");
        var r = run(re -> new Register(reg, re));
        HostRegistered e = (HostRegistered) only(r, HostRegistered.class);
        assertEquals(id, e.hostId());
        assertEquals(T0, e.time());
        assertEquals(Liveness.UNKNOWN, e.oldLiveness());
        assertEquals(Liveness.UP, e.newLiveness());
        assertNull(e.oldRegistration());
        assertEquals(reg, e.newRegistration());
        HostSummary s = r.reply().getValue();
        assertEquals(Liveness.UP, s.liveness());
        assertEquals("7.2.22", s.registration().qemuVersion());
        assertEquals("kvm", s.registration().accel());
        assertEquals(16384, s.registration().memoryMiB());
        assertEquals("vm-1", s.registration().vms().get(0).vmId());

        noEvents(run(re -> new Register(reg, re)), true); // repeated
        assertEquals(reg, kit.restart().state() instanceof Up up ? up.registration() : null, "state survives a restart");
    }

    @Test
    void anAgentRestartRegistersAgainWithOldAndNew() {
        HostStatus first = status(0, AGENT_STARTED);
        run(re -> new Register(first, re));
        HostStatus second = status(0, AGENT_STARTED.plusSeconds(60), "vm-9");
        HostRegistered e = (HostRegistered) only(run(re -> new Register(second, re)), HostRegistered.class);
        assertEquals(Liveness.UP, e.oldLiveness());
        assertEquals(Liveness.UP, e.newLiveness());
        assertEquals(first, e.oldRegistration());
        assertEquals(second, e.newRegistration());
    }

    @Test
    void rejectedStatusesPersistNothingAndNameTheProblem() {
        var r = run(re -> new Heartbeat(status(1, AGENT_STARTED), re));
        noEvents(r, false);
        assertEquals("host " + id + " is not registered: its agent must register before it heartbeats", r.reply().getError().getMessage());
        noEvents(run(Get::new), false);

        run(re -> new Register(status(0, AGENT_STARTED), re));
        HostStatus other = new HostStatus("elsewhere", "7.2.22", "", "kvm", 1, 1, List.of(), 1, AGENT_STARTED);
        var wrongHost = run(re -> new Heartbeat(other, re));
        noEvents(wrongHost, false);
        assertTrue(wrongHost.reply().getError().getMessage().contains("status of host elsewhere sent to host " + id));
        var wrongAgent = run(re -> new Heartbeat(status(3, AGENT_STARTED.plusSeconds(5)), re));
        noEvents(wrongAgent, false);
        assertTrue(wrongAgent.reply().getError().getMessage().contains("it must register again"));
    }

    @Test
    void heartbeatsPersistNothingWhileUpAndKeepTheHostUp() {
        run(re -> new Register(status(0, AGENT_STARTED), re));
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofSeconds(2));
            long seq = i;
            noEvents(run(re -> new Heartbeat(status(seq, AGENT_STARTED), re)), true);
            assertTrue(kit.runCommand(new CheckLiveness()).hasNoEvents());
        }
        assertEquals(Liveness.UP, run(Get::new).reply().getValue().liveness());
    }

    /** A VM started (or migrated in, or retired) after the registration shows in the next heartbeat, and is kept. */
    @Test
    void aHeartbeatWithOtherVmsIsPersistedAsARegistration() {
        HostStatus first = status(0, AGENT_STARTED);
        run(re -> new Register(first, re));
        HostStatus withVm = status(1, AGENT_STARTED, "vm-new");
        HostRegistered e = (HostRegistered) only(run(re -> new Heartbeat(withVm, re)), HostRegistered.class);
        assertEquals(first, e.oldRegistration());
        assertEquals(withVm, e.newRegistration());
        assertEquals("vm-new", run(Get::new).reply().getValue().registration().vms().get(0).vmId());
        noEvents(run(re -> new Heartbeat(status(2, AGENT_STARTED, "vm-new"), re)), true); // same VMs: nothing
        assertEquals(withVm, kit.restart().state() instanceof Up up ? up.registration() : null, "survives a restart");
    }

    @Test
    void missedHeartbeatsTakeTheHostDownAndOneMoreBringsItBack() {
        run(re -> new Register(status(0, AGENT_STARTED), re));
        clock.advance(Duration.ofSeconds(1));
        run(re -> new Heartbeat(status(1, AGENT_STARTED), re));
        clock.advance(TIMEOUT);
        assertTrue(kit.runCommand(new CheckLiveness()).hasNoEvents(), "exactly at the timeout is not over it");
        clock.advance(Duration.ofMillis(1));
        var down = kit.runCommand(new CheckLiveness());
        assertEquals(1, down.events().size());
        HostWentDown d = (HostWentDown) down.events().get(0);
        assertEquals(Liveness.UP, d.oldLiveness());
        assertEquals(Liveness.DOWN, d.newLiveness());
        assertEquals(T0.plusSeconds(1), d.lastHeartbeatAt());
        assertEquals("no heartbeat from host " + id + " for 3001 ms (timeout 3000 ms)", d.reason());
        assertTrue(kit.runCommand(new CheckLiveness()).hasNoEvents(), "down once");

        noEvents(run(re -> new Heartbeat(status(1, AGENT_STARTED), re)), true); // a redelivered old one
        clock.advance(Duration.ofSeconds(1));
        HostCameBack back = (HostCameBack) only(run(re -> new Heartbeat(status(2, AGENT_STARTED), re)), HostCameBack.class);
        assertEquals(Liveness.DOWN, back.oldLiveness());
        assertEquals(Liveness.UP, back.newLiveness());
        assertEquals(d.time(), back.downSince());
        assertEquals(2, back.sequence());
        assertInstanceOf(Up.class, kit.getState());
    }

    @Test
    void aDownHostStaysDownAcrossARestart() {
        run(re -> new Register(status(0, AGENT_STARTED), re));
        clock.advance(TIMEOUT.plusSeconds(1));
        assertEquals(1, kit.runCommand(new CheckLiveness()).events().size());
        Down d = assertInstanceOf(Down.class, kit.restart().state());
        assertTrue(d.reason().startsWith("no heartbeat"));
    }

    @Test
    void theTimerTakesASilentHostDownOnItsOwn() {
        ActorRef<HostCommand> host = testKit.spawn(HostEntity.create("timer-" + id, Clock.systemUTC(),
                Duration.ofMillis(300), Duration.ofMillis(100)));
        TestProbe<StatusReply<HostSummary>> probe = testKit.createTestProbe();
        host.tell(new Register(new HostStatus("timer-" + id, "7.2.22", "", "kvm", 1024, 2, List.of(), 0, AGENT_STARTED), probe.ref()));
        assertEquals(Liveness.UP, probe.receiveMessage().getValue().liveness());
        probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(100), () -> {
            host.tell(new Get(probe.ref()));
            assertEquals(Liveness.DOWN, probe.receiveMessage().getValue().liveness());
            return null;
        });
    }
}
