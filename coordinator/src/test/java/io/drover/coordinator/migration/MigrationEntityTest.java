package io.drover.coordinator.migration;

import io.drover.coordinator.migration.MigrationCommand.*;
import io.drover.coordinator.migration.MigrationEvent.*;
import io.drover.coordinator.migration.MigrationState.*;
import io.drover.coordinator.policy.ConvergenceLadder;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.coordinator.testing.MutableClock;
import io.drover.coordinator.testing.RecordingGateway;
import io.drover.coordinator.testing.UnitTestConfig;
import io.drover.events.AgentCommand;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationStats;
import io.drover.events.MigrationStatus;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Every transition of {@link MigrationEntity}, with every event it emits asserted. */
class MigrationEntityTest {
    static ActorTestKit testKit;
    static PersistenceTestKit journal;

    static final Instant T0 = Instant.parse("2026-11-21T20:00:00Z");
    static final String VM = "vm-42", SRC = "kvm-1", DST = "kvm-2", URI = "tcp:10.0.0.2:49152";

    MutableClock clock;
    RecordingGateway gateway;
    String id;
    EventSourcedBehaviorTestKit<MigrationCommand, MigrationEvent, MigrationState> kit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("MigrationEntityTest", UnitTestConfig.config());
        journal = PersistenceTestKit.create(testKit.system());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        clock = new MutableClock(T0);
        gateway = new RecordingGateway();
        id = "m-" + UUID.randomUUID().toString().substring(0, 8);
        gateway.journalSize(() -> journal.persistedInStorage("Migration|" + id).size());
        kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                MigrationEntity.create(id, gateway, clock, Duration.ofHours(1)));
    }

    // ------------------------------------------------------------ helpers

    static CoordinatorPolicy policy() {
        return CoordinatorPolicy.of(MigrationPolicy.builder().downtimeLimitMs(400L).build())
                .withDowntimeSteps(4)
                .withStallTimeout(Duration.ofSeconds(30))
                .withCompletionTimeoutPerGiB(Duration.ofSeconds(100));
    }

    static CoordinatorPolicy postcopyPolicy() {
        return CoordinatorPolicy.of(MigrationPolicy.builder().downtimeLimitMs(400L).postcopy(true).postcopyAfterPasses(2).build())
                .withDowntimeSteps(4);
    }

    CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> run(
            Function<ActorRef<StatusReply<MigrationSummary>>, MigrationCommand> c) {
        return kit.runCommand(c);
    }

    MigrationSummary ok(CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> r) {
        assertTrue(r.reply().isSuccess(), () -> "expected success, got " + r.reply());
        return r.reply().getValue();
    }

    String error(CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> r) {
        assertTrue(r.reply().isError(), () -> "expected an error, got " + r.reply());
        assertTrue(r.hasNoEvents(), () -> "a rejected command persists nothing, got " + r.events());
        return r.reply().getError().getMessage();
    }

    void repeated(CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> r) {
        ok(r);
        assertTrue(r.hasNoEvents(), () -> "a repeated command persists nothing, got " + r.events());
    }

    /** Asserts the exact event types, in order, and returns them for field assertions. */
    static List<MigrationEvent> events(CommandResult<MigrationCommand, MigrationEvent, MigrationState> r, Class<?>... types) {
        List<MigrationEvent> es = r.events();
        assertEquals(types.length, es.size(), () -> "events: " + es);
        for (int i = 0; i < types.length; i++) {
            assertEquals(types[i], es.get(i).getClass(), "event " + i);
        }
        return es;
    }

    static void phases(MigrationEvent e, Phase from, Phase to) {
        assertEquals(from, e.oldPhase(), () -> "old phase of " + e);
        assertEquals(to, e.newPhase(), () -> "new phase of " + e);
    }

    void created(CoordinatorPolicy p) {
        var r = run(re -> new Create(VM, SRC, DST, 1024, 2, p, re));
        ok(r);
        events(r, MigrationRequested.class);
        gateway.take();
    }

    void migrating(CoordinatorPolicy p) {
        created(p);
        var r = run(re -> new MigrationCommand.DestinationPrepared(URI, re));
        events(r, MigrationEvent.DestinationPrepared.class, MigrateIssued.class);
        gateway.take();
    }

    static MigrationInfo sample(MigrationStatus status, long pass, long remaining, Long expectedDowntime) {
        MigrationStats ram = new MigrationStats(1_000_000L, remaining, 1L << 30, null, null, null, null, 5_000L, 800.0,
                pass, null, 4096L, null, null, null, null, null, null, null);
        return new MigrationInfo(status, ram, null, null, null, 1000L, expectedDowntime, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> progress(
            long pass, long remaining, Long expectedDowntime) {
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        return run(re -> new Progress(sample(MigrationStatus.ACTIVE, pass, remaining, expectedDowntime), at, re));
    }

    // ------------------------------------------------------------ Empty

    @Test
    void createPersistsTheRequestAndAsksTheDestinationToPrepare() {
        var r = run(re -> new Create(VM, SRC, DST, 1024, 2, policy(), re));
        MigrationSummary s = ok(r);
        assertEquals(Phase.PREPARING, s.phase());
        MigrationRequested e = (MigrationRequested) events(r, MigrationRequested.class).get(0);
        phases(e, Phase.NEW, Phase.PREPARING);
        assertEquals(id, e.migrationId());
        assertEquals(T0, e.time());
        assertEquals(VM, e.vmId());
        assertEquals(SRC, e.sourceHost());
        assertEquals(DST, e.destinationHost());
        assertEquals(policy(), e.policy());
        assertInstanceOf(Preparing.class, r.state());

        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(2, sent.size());
        assertEquals(0, sent.get(0).journalSize(), "prepare-incoming goes out as the request is persisted: it is reversible");
        AgentCommand.PrepareIncoming p = assertInstanceOf(AgentCommand.PrepareIncoming.class, sent.get(0).command());
        assertEquals("migration/" + id + "/prepare-incoming", p.commandId());
        assertEquals(DST, p.hostId());
        assertEquals(1024, p.memoryMiB());
        assertEquals(100L, p.policy().downtimeLimitMs(), "the ladder's first step: 400 ms / 4");
        assertEquals(new AgentCommand.HandOff(SRC, "migration/" + id + "/destination-ready"), p.handOff(),
                "the destination tells the source itself once it listens");
        assertEquals(1, sent.get(1).journalSize(), "the request is persisted before the source is armed");
        AgentCommand.StartMigration arm = assertInstanceOf(AgentCommand.StartMigration.class, sent.get(1).command());
        assertEquals("migration/" + id + "/start-migration", arm.commandId());
        assertEquals(SRC, arm.hostId());
        assertNull(arm.uri(), "armed: the source migrates when the destination's uri comes");
        assertEquals(p.policy(), arm.policy(), "both ends get the same policy");
    }

    @Test
    void anImpossibleCreateIsRejectedNamingEveryProblem() {
        CoordinatorPolicy bad = CoordinatorPolicy.of(MigrationPolicy.builder().postcopy(true).multifd(true).build());
        String why = error(run(re -> new Create(VM, SRC, SRC, 0, 2, bad, re)));
        assertTrue(why.contains("same host kvm-1"), why);
        assertTrue(why.contains("memoryMiB must be positive"), why);
        assertTrue(why.contains("post-copy and multifd"), why);
        assertInstanceOf(Empty.class, kit.getState());
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void commandsForAMigrationThatDoesNotExistAreRejected() {
        assertTrue(error(run(Get::new)).contains("does not exist"));
        assertTrue(error(run(re -> new Cancel("x", re))).contains("in phase NEW"));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
    }

    // ------------------------------------------------------------ Preparing

    @Test
    void aRepeatedCreateSucceedsWithoutPersistingAndADifferentOneIsRejected() {
        created(policy());
        repeated(run(re -> new Create(VM, SRC, DST, 1024, 2, policy(), re)));
        assertTrue(error(run(re -> new Create(VM, SRC, "kvm-3", 1024, 2, policy(), re))).contains("already exists"));
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void destinationPreparedPersistsTheIssueAndTellsTheSourceTooUnderTheHandOffsId() {
        created(policy());
        clock.advance(Duration.ofSeconds(2));
        var r = run(re -> new MigrationCommand.DestinationPrepared(URI, re));
        assertEquals(Phase.MIGRATING, ok(r).phase());
        List<MigrationEvent> es = events(r, MigrationEvent.DestinationPrepared.class, MigrateIssued.class);
        MigrationEvent.DestinationPrepared dp = (MigrationEvent.DestinationPrepared) es.get(0);
        phases(dp, Phase.PREPARING, Phase.PREPARED);
        assertNull(dp.oldUri());
        assertEquals(URI, dp.newUri());
        assertEquals(T0.plusSeconds(2), dp.time());
        MigrateIssued mi = (MigrateIssued) es.get(1);
        phases(mi, Phase.PREPARED, Phase.MIGRATING);
        assertEquals("migration/" + id + "/destination-ready", mi.commandId());
        assertEquals(100, mi.downtimeLimitMs());

        assertTrue(gateway.sent().isEmpty(), "the destination's agent told the source itself");
        clock.advance(MigrationEntity.HAND_OFF_GRACE.minusMillis(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "not before the grace is over");
        clock.advance(Duration.ofMillis(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(1, sent.size(), "the source has not reported started: the coordinator tells it too");
        assertEquals(3, sent.get(0).journalSize(), "MigrateIssued is in the journal before the coordinator sends it");
        AgentCommand.DestinationReady ready = assertInstanceOf(AgentCommand.DestinationReady.class, sent.get(0).command());
        assertEquals(mi.commandId(), ready.commandId());
        assertEquals(SRC, ready.hostId());
        assertEquals(URI, ready.uri());
        gateway.take();
        clock.advance(Duration.ofSeconds(5));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "once");
    }

    @Test
    void aSourceThatReportsStartedInTimeIsNotToldAgain() {
        migrating(policy());
        events(run(MigrationStarted::new), SourceStarted.class);
        clock.advance(MigrationEntity.HAND_OFF_GRACE.plusSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "the hand-off reached the source: no second destination-ready");
    }

    @Test
    void sourceReportsThatOvertakeTheDestinationsResultAreTakenUpOnceItIsIn() {
        created(policy());
        var probe = testKit.<StatusReply<MigrationSummary>>createTestProbe();
        assertTrue(kit.runCommand(new MigrationStarted(probe.getRef())).hasNoEvents(), "stashed, not persisted, while preparing");
        probe.expectNoMessage(Duration.ofMillis(100));
        clock.advance(MigrationEntity.PREPARE_TIMEOUT.plusSeconds(5));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents(), "a source that reported heard from the destination: no timeout");
        var r = run(re -> new MigrationCommand.DestinationPrepared(URI, re));
        phases(events(r, MigrationEvent.DestinationPrepared.class, MigrateIssued.class, SourceStarted.class).get(2),
                Phase.MIGRATING, Phase.MIGRATING); // the stashed report, taken up right after
        assertTrue(probe.receiveMessage(Duration.ofSeconds(5)).isSuccess(), "answered once taken up");
        Migrating m = assertInstanceOf(Migrating.class, kit.getState());
        assertTrue(m.run().sourceStarted(), "the stashed report was taken up after the destination's result");
    }

    @Test
    void destinationPreparedWithoutAUriIsRejected() {
        created(policy());
        assertTrue(error(run(re -> new MigrationCommand.DestinationPrepared(" ", re))).contains("without a uri"));
    }

    @Test
    void aFailedPrepareFailsTheMigration() {
        created(policy());
        var r = run(re -> new DestinationPrepareFailed("no port free", re));
        assertEquals(Phase.FAILED, ok(r).phase());
        MigrationFailed f = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(f, Phase.PREPARING, Phase.FAILED);
        assertEquals("the destination host kvm-2 could not prepare: no port free", f.reason());
        assertEquals(List.of(new AgentCommand.CancelMigration("migration/" + id + "/cancel", SRC, VM, id)), gateway.take(),
                "the armed source stands down");
        repeated(run(re -> new DestinationPrepareFailed("no port free", re)));
        assertTrue(error(run(re -> new MigrationCommand.DestinationPrepared(URI, re))).contains("in phase FAILED (the destination host"));
    }

    @Test
    void aDestinationThatDoesNotPrepareInTimeFailsTheMigration() {
        created(policy());
        clock.advance(MigrationEntity.PREPARE_TIMEOUT);
        assertTrue(kit.runCommand(new Tick()).hasNoEvents(), "not yet: exactly at the timeout");
        clock.advance(Duration.ofSeconds(1));
        CommandResult<MigrationCommand, MigrationEvent, MigrationState> r = kit.runCommand(new Tick());
        MigrationFailed f = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(f, Phase.PREPARING, Phase.FAILED);
        assertEquals("the destination host kvm-2 did not prepare within 60 s", f.reason());
        List<AgentCommand> sent = gateway.take();
        assertEquals(new AgentCommand.CancelMigration("migration/" + id + "/cancel", SRC, VM, id), sent.get(0),
                "the armed source stands down");
        AgentCommand.StopVm stop = assertInstanceOf(AgentCommand.StopVm.class, sent.get(1));
        assertEquals(DST, stop.hostId());
        assertTrue(stop.force());
    }

    @Test
    void cancelWhilePreparingGoesThroughTheSourceAndStopsTheDestinationOnItsVerdict() {
        created(policy());
        var r = run(re -> new Cancel("operator changed their mind", re));
        CancellationRequested x = (CancellationRequested) events(r, CancellationRequested.class).get(0);
        phases(x, Phase.PREPARING, Phase.CANCELLING);
        assertTrue(x.reason().contains("operator changed their mind"));
        assertEquals(List.of(new AgentCommand.CancelMigration("migration/" + id + "/cancel", SRC, VM, id)), gateway.take(),
                "the destination may have told the source already: nothing is stopped before the source's verdict");
        repeated(run(re -> new Cancel("again", re)));
        repeated(run(re -> new Progress(sample(MigrationStatus.COMPLETED, 1, 0, null), clock.instant(), re)));
        assertTrue(gateway.sent().isEmpty(), "a sample of QEMU's status decides nothing here: it may be an earlier migration's");
        var end = run(re -> new SourceFailed("cancelled before the destination listened", re));
        MigrationCancelled c = (MigrationCancelled) events(end, MigrationCancelled.class).get(0);
        phases(c, Phase.CANCELLING, Phase.CANCELLED);
        assertTrue(c.reason().contains("operator changed their mind"));
        assertEquals(List.of(new AgentCommand.StopVm("migration/" + id + "/stop-destination", DST, VM, true)), gateway.take());
    }

    @Test
    void aSourceThatCompletedBeforeTheCancelReachedItIsConfirmed() {
        created(policy());
        events(run(re -> new Cancel("too slow", re)), CancellationRequested.class);
        gateway.take();
        phases(events(run(SourceCompleted::new), SwitchoverCompleted.class).get(0), Phase.CANCELLING, Phase.CONFIRMING);
        assertEquals(DST, assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0)).hostId());
        events(run(DestinationConfirmed::new), MigrationCompleted.class);
        assertEquals(SRC, assertInstanceOf(AgentCommand.RetireVm.class, gateway.take().get(0)).hostId());
    }

    @Test
    void aSourceThatCannotArmFailsTheMigrationWhilePreparing() {
        created(policy());
        var r = run(re -> new SourceFailed("start-migration refused: unknown VM 'vm-42' on this host", re));
        MigrationFailed f = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(f, Phase.PREPARING, Phase.FAILED);
        assertTrue(f.reason().contains("unknown VM"), f.reason());
        assertEquals(List.of(new AgentCommand.StopVm("migration/" + id + "/stop-destination", DST, VM, true)), gateway.take());
    }

    // ------------------------------------------------------------ Migrating

    @Test
    void theSourceStartingIsRecordedOnce() {
        migrating(policy());
        var r = run(MigrationStarted::new);
        ok(r);
        phases(events(r, SourceStarted.class).get(0), Phase.MIGRATING, Phase.MIGRATING);
        repeated(run(MigrationStarted::new));
        repeated(run(re -> new MigrationCommand.DestinationPrepared(URI, re)));
        assertTrue(error(run(re -> new MigrationCommand.DestinationPrepared("tcp:other:1", re))).contains("already migrates to"));
    }

    @Test
    void theDetailCarriesTheLastTwoRecordedSamplesAlsoAfterARestart() {
        assertFalse(kit.<StatusReply<MigrationDetail>>runCommand(MigrationCommand.GetDetail::new).reply().isSuccess(),
                "no detail of a migration that does not exist");
        migrating(policy());
        MigrationDetail none = kit.<StatusReply<MigrationDetail>>runCommand(MigrationCommand.GetDetail::new).reply().getValue();
        assertNull(none.last());
        assertEquals(Phase.MIGRATING, none.summary().phase());
        ProgressRecorded first = (ProgressRecorded) events(progress(1, 500_000_000L, null), ProgressRecorded.class).get(0);
        ProgressRecorded second = (ProgressRecorded) events(progress(2, 400_000_000L, null), ProgressRecorded.class).get(0);
        MigrationDetail d = kit.<StatusReply<MigrationDetail>>runCommand(MigrationCommand.GetDetail::new).reply().getValue();
        assertEquals(second, d.last());
        assertEquals(first, d.previous());
        kit.restart();
        assertEquals(d, kit.<StatusReply<MigrationDetail>>runCommand(MigrationCommand.GetDetail::new).reply().getValue());
    }

    @Test
    void samplesAreRecordedAndAnOlderOrRepeatedOneIsIgnored() {
        migrating(policy());
        var r = progress(1, 500_000_000L, null);
        ProgressRecorded p = (ProgressRecorded) events(r, ProgressRecorded.class).get(0);
        phases(p, Phase.MIGRATING, Phase.MIGRATING);
        assertEquals(0, p.oldPass());
        assertEquals(1, p.newPass());
        assertEquals(500_000_000L, p.remaining());
        assertEquals("active", p.status());
        assertTrue(p.newLow());
        Instant same = p.sampledAt();
        repeated(run(re -> new Progress(sample(MigrationStatus.ACTIVE, 1, 1, null), same, re)));
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void aSampleSoonAfterTheLastRecordedOneIsRecordedOnlyForANewPassOrADecision() {
        migrating(policy());
        ProgressRecorded first = (ProgressRecorded) events(progress(1, 500_000_000L, null), ProgressRecorded.class).get(0);
        // 200 ms later, same pass, nothing to decide: answered, not persisted, the state keeps the recorded sample.
        clock.advance(Duration.ofMillis(200));
        Instant soon = clock.instant();
        var quiet = run(re -> new Progress(sample(MigrationStatus.ACTIVE, 1, 450_000_000L, null), soon, re));
        repeated(quiet);
        assertEquals(first.sampledAt(), ((MigrationState.Live) quiet.state()).run().lastSampleAt());
        assertEquals(1, ((MigrationState.Live) quiet.state()).run().pass());
        assertTrue(gateway.sent().isEmpty());
        // 200 ms later again, a new pass with nothing to decide: recorded, so that the summary counts the passes.
        clock.advance(Duration.ofMillis(200));
        Instant pass2 = clock.instant();
        ProgressRecorded second = (ProgressRecorded) events(run(re -> new Progress(
                sample(MigrationStatus.ACTIVE, 2, 300_000_000L, 50L), pass2, re)), ProgressRecorded.class).get(0);
        assertEquals(2, second.newPass());
        assertTrue(gateway.sent().isEmpty());
        // 200 ms later, pass 3 expects more downtime than the limit: the ladder acts, both are persisted.
        clock.advance(Duration.ofMillis(200));
        Instant later = clock.instant();
        var decided = run(re -> new Progress(sample(MigrationStatus.ACTIVE, 3, 100_000_000L, 900L), later, re));
        List<MigrationEvent> es = events(decided, ProgressRecorded.class, ConvergenceDecisionTaken.class);
        assertEquals(later, ((ProgressRecorded) es.get(0)).sampledAt());
        assertEquals(200, ((ConvergenceDecisionTaken) es.get(1)).newDowntimeLimitMs());
        assertEquals(1, gateway.take().size());
        // a second after the last recorded sample, a quiet sample of the same pass is recorded again
        clock.advance(MigrationEntity.PROGRESS_RECORD_INTERVAL);
        Instant due = clock.instant();
        events(run(re -> new Progress(sample(MigrationStatus.ACTIVE, 3, 90_000_000L, 150L), due, re)), ProgressRecorded.class);
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void aPassOverTheDowntimeLimitRaisesTheLimitOneStep() {
        migrating(policy());
        events(progress(1, 500_000_000L, null), ProgressRecorded.class);
        var r = progress(2, 100_000_000L, 900L);
        List<MigrationEvent> es = events(r, ProgressRecorded.class, ConvergenceDecisionTaken.class);
        assertEquals(2, ((ProgressRecorded) es.get(0)).newPass());
        ConvergenceDecisionTaken d = (ConvergenceDecisionTaken) es.get(1);
        phases(d, Phase.MIGRATING, Phase.MIGRATING);
        assertEquals(ConvergenceLadder.Kind.RAISE_DOWNTIME_LIMIT, d.decision());
        assertEquals(100, d.oldDowntimeLimitMs());
        assertEquals(200, d.newDowntimeLimitMs());
        assertTrue(d.reason().contains("expected downtime 900 ms exceeds the limit of 100 ms"), d.reason());
        assertEquals(200, ok(r).downtimeLimitMs());
        assertEquals(List.of(new AgentCommand.TuneMigration("migration/" + id + "/tune-1", SRC, VM, id, 200L, null, null, null)),
                gateway.take());
        // the same pass again: no second step
        events(progress(2, 90_000_000L, 900L), ProgressRecorded.class);
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void postcopyAfterPassesIsPersistedBeforeTheSwitchIsSentAndIsNeverCancelled() {
        migrating(postcopyPolicy());
        events(progress(1, 500_000_000L, null), ProgressRecorded.class);
        var r = progress(2, 400_000_000L, 5000L);
        List<MigrationEvent> es = events(r, ProgressRecorded.class, PostcopySwitchRequested.class);
        assertEquals(2, ((ProgressRecorded) es.get(0)).newPass());
        PostcopySwitchRequested ps = (PostcopySwitchRequested) es.get(1);
        phases(ps, Phase.MIGRATING, Phase.POSTCOPY);
        assertTrue(ps.reason().contains("after 2 passes"), ps.reason());
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(1, sent.size());
        assertEquals(journal.persistedInStorage("Migration|" + id).size(), sent.get(0).journalSize());
        assertEquals(new AgentCommand.TuneMigration("migration/" + id + "/start-postcopy", SRC, VM, id, null, null, null, true),
                sent.get(0).command());
        gateway.take();

        assertTrue(error(run(re -> new Cancel("please", re))).contains("in post-copy and is never cancelled"));
        repeated(run(MigrationStarted::new));
        // samples are still recorded, no ladder
        ProgressRecorded p = (ProgressRecorded) events(progress(3, 100_000_000L, 5000L), ProgressRecorded.class).get(0);
        phases(p, Phase.POSTCOPY, Phase.POSTCOPY);
        assertTrue(gateway.sent().isEmpty());

        var f = run(re -> new SourceFailed("connection reset", re));
        MigrationFailed mf = (MigrationFailed) events(f, MigrationFailed.class).get(0);
        phases(mf, Phase.POSTCOPY, Phase.FAILED);
        assertTrue(mf.reason().contains("failed in post-copy: connection reset"), mf.reason());
        assertTrue(gateway.sent().isEmpty(), "no clean-up of the destination in post-copy");
    }

    @Test
    void qemuSwitchingToPostcopyByItselfIsRecorded() {
        migrating(postcopyPolicy());
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        var r = run(re -> new Progress(sample(MigrationStatus.POSTCOPY_ACTIVE, 1, 1000, null), at, re));
        List<MigrationEvent> es = events(r, ProgressRecorded.class, PostcopySwitchRequested.class);
        assertEquals("postcopy-active", ((ProgressRecorded) es.get(0)).status());
        phases(es.get(1), Phase.MIGRATING, Phase.POSTCOPY);
        assertInstanceOf(Postcopy.class, r.state());
        assertEquals(1, gateway.take().size());
    }

    @Test
    void aStalledMigrationIsCancelledPersistingTheRequestFirst() {
        migrating(policy());
        events(progress(1, 500_000_000L, null), ProgressRecorded.class);
        events(progress(2, 600_000_000L, null), ProgressRecorded.class); // not a new low
        clock.advance(Duration.ofSeconds(30));
        CommandResult<MigrationCommand, MigrationEvent, MigrationState> r = kit.runCommand(new Tick());
        CancellationRequested c = (CancellationRequested) events(r, CancellationRequested.class).get(0);
        phases(c, Phase.MIGRATING, Phase.CANCELLING);
        assertTrue(c.reason().contains("not reached a new low for 31 s"), c.reason());
        assertEquals("migration/" + id + "/cancel", c.commandId());
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(new AgentCommand.CancelMigration(c.commandId(), SRC, VM, id), sent.get(0).command());
        assertEquals(journal.persistedInStorage("Migration|" + id).size(), sent.get(0).journalSize());
        gateway.take();

        repeated(run(re -> new Cancel("again", re)));
        repeated(progress(3, 1, null));
        var end = run(re -> new SourceFailed("cancelled", re));
        MigrationCancelled mc = (MigrationCancelled) events(end, MigrationCancelled.class).get(0);
        phases(mc, Phase.CANCELLING, Phase.CANCELLED);
        assertEquals(c.reason(), mc.reason());
        assertEquals(List.of(new AgentCommand.StopVm("migration/" + id + "/stop-destination", DST, VM, true)), gateway.take());
    }

    @Test
    void anOperatorCancelIsRequestedThenConfirmedBySampleStatus() {
        migrating(policy());
        var r = run(re -> new Cancel("maintenance window over", re));
        CancellationRequested c = (CancellationRequested) events(r, CancellationRequested.class).get(0);
        phases(c, Phase.MIGRATING, Phase.CANCELLING);
        assertEquals("cancelled by request: maintenance window over", c.reason());
        assertInstanceOf(AgentCommand.CancelMigration.class, gateway.take().get(0));
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        var end = run(re -> new Progress(MigrationInfo.ofStatus(MigrationStatus.CANCELLED, null), at, re));
        phases(events(end, MigrationCancelled.class).get(0), Phase.CANCELLING, Phase.CANCELLED);
        assertInstanceOf(Cancelled.class, end.state());
    }

    @Test
    void aSourceFailureFailsTheMigrationAndStopsTheDestination() {
        migrating(policy());
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        var r = run(re -> new Progress(MigrationInfo.ofStatus(MigrationStatus.FAILED, "Unable to write to socket"), at, re));
        MigrationFailed f = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(f, Phase.MIGRATING, Phase.FAILED);
        assertEquals("the source host kvm-1 reports the migration failed: Unable to write to socket", f.reason());
        assertEquals(List.of(new AgentCommand.StopVm("migration/" + id + "/stop-destination", DST, VM, true)), gateway.take());
        repeated(run(re -> new SourceFailed("again", re)));
        assertTrue(error(run(re -> new Cancel("late", re))).contains("in phase FAILED"));
        MigrationSummary failed = ok(run(Get::new));
        assertEquals(URI, failed.uri(), "a failed migration still shows where it was going");
        assertEquals(f.reason(), failed.reason());
        var restarted = kit.restart();
        assertEquals(URI, restarted.state().summary(id).uri(), "also after a recovery");
    }

    @Test
    void aCompletedMigrationIsConfirmedThenTheSourceRetired() {
        migrating(policy());
        var r = run(SourceCompleted::new);
        assertEquals(Phase.CONFIRMING, ok(r).phase());
        phases(events(r, SwitchoverCompleted.class).get(0), Phase.MIGRATING, Phase.CONFIRMING);
        AgentCommand.QueryMigration asked = assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertEquals(DST, asked.hostId(), "the destination is asked at once whether it runs the guest");
        assertTrue(asked.commandId().startsWith("migration/" + id + "/query-destination-"), asked.commandId());
        repeated(run(SourceCompleted::new));
        assertTrue(error(run(re -> new Cancel("too late", re))).contains("cannot be cancelled"));

        var c = run(DestinationConfirmed::new);
        assertEquals(Phase.COMPLETED, ok(c).phase());
        MigrationCompleted mc = (MigrationCompleted) events(c, MigrationCompleted.class).get(0);
        phases(mc, Phase.CONFIRMING, Phase.COMPLETED);
        assertEquals("migration/" + id + "/retire-source", mc.retireCommandId());
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(new AgentCommand.RetireVm(mc.retireCommandId(), SRC, VM, id), sent.get(0).command());
        assertEquals(journal.persistedInStorage("Migration|" + id).size(), sent.get(0).journalSize());
        gateway.take();
        repeated(run(DestinationConfirmed::new));
        assertTrue(error(run(re -> new Cancel("too late", re))).contains("it completed"));
        assertEquals(Phase.COMPLETED, ok(run(Get::new)).phase());
    }

    @Test
    void aDestinationRunningTheGuestBeforeTheSourceReportsCompletesTheMigrationAtOnce() {
        migrating(policy());
        events(run(MigrationStarted::new), SourceStarted.class);
        var r = run(DestinationConfirmed::new);
        assertEquals(Phase.COMPLETED, ok(r).phase());
        List<MigrationEvent> es = events(r, SwitchoverCompleted.class, MigrationCompleted.class);
        phases(es.get(0), Phase.MIGRATING, Phase.CONFIRMING);
        phases(es.get(1), Phase.CONFIRMING, Phase.COMPLETED);
        MigrationCompleted mc = (MigrationCompleted) es.get(1);
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(List.of(new AgentCommand.RetireVm(mc.retireCommandId(), SRC, VM, id)), gateway.take(), "no query: the destination said it");
        assertEquals(journal.persistedInStorage("Migration|" + id).size(), sent.get(0).journalSize());
        // The source's own reports come later and change nothing.
        repeated(run(SourceCompleted::new));
        repeated(run(MigrationStarted::new));
        repeated(progress(3, 0, 10L));
        assertTrue(gateway.sent().isEmpty());
    }

    @Test
    void aCompletedSampleCountsAsTheSourceCompleting() {
        migrating(policy());
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        var r = run(re -> new Progress(MigrationInfo.ofStatus(MigrationStatus.COMPLETED, null), at, re));
        phases(events(r, SwitchoverCompleted.class).get(0), Phase.MIGRATING, Phase.CONFIRMING);
    }

    @Test
    void anEndedMigrationIsAnnouncedOnceItsEndIsPersisted() {
        var topic = testKit.spawn(org.apache.pekko.actor.typed.pubsub.Topic.create(MigrationEnded.class, MigrationEnded.TOPIC));
        var listener = testKit.<MigrationEnded>createTestProbe();
        topic.tell(org.apache.pekko.actor.typed.pubsub.Topic.subscribe(listener.getRef()));
        kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                MigrationEntity.create(id, gateway, clock, Duration.ofHours(1), self -> { }, topic));
        created(policy());
        listener.expectNoMessage(Duration.ofMillis(200)); // a live migration is not announced
        events(run(re -> new Cancel("done", re)), CancellationRequested.class);
        listener.expectNoMessage(Duration.ofMillis(200)); // cancelling is not the end: the source's verdict is
        events(run(re -> new SourceFailed("cancelled", re)), MigrationCancelled.class);
        assertEquals(new MigrationEnded(id), listener.receiveMessage(Duration.ofSeconds(10)));
        testKit.stop(topic);
    }

    @Test
    void anEndedMigrationPassivatesItselfAtItsNextTick() {
        java.util.concurrent.atomic.AtomicInteger passivations = new java.util.concurrent.atomic.AtomicInteger();
        kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                MigrationEntity.create(id, gateway, clock, Duration.ofHours(1), self -> passivations.incrementAndGet()));
        created(policy());
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(0, passivations.get(), "a live migration stays");
        events(run(re -> new DestinationPrepareFailed("no port", re)), MigrationFailed.class);
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(1, passivations.get());
    }

    @Test
    void aMigrationThatWasNeverCreatedPassivatesAtItsFirstTick() {
        java.util.concurrent.atomic.AtomicInteger passivations = new java.util.concurrent.atomic.AtomicInteger();
        kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                MigrationEntity.create(id, gateway, clock, Duration.ofHours(1), self -> passivations.incrementAndGet()));
        // The API wakes a new migration's entity before its checks, so that its recovery overlaps them; a request
        // the checks then refuse leaves an entity with no events, which must not stay in memory for good.
        CommandResultWithReply<MigrationCommand, MigrationEvent, MigrationState, StatusReply<MigrationSummary>> r =
                kit.runCommand(Get::new);
        assertTrue(r.hasNoEvents());
        assertTrue(r.reply().isError());
        assertEquals(0, passivations.get());
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(1, passivations.get());
        assertTrue(gateway.sent().isEmpty(), "nothing is sent for a migration that does not exist");
    }

    @Test
    void aSpareIdStaysWarmUntilItsKeepWarmRunsOutAndThenServesACreateLikeAnyOther() {
        java.util.concurrent.atomic.AtomicInteger passivations = new java.util.concurrent.atomic.AtomicInteger();
        kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                MigrationEntity.create(id, gateway, clock, Duration.ofHours(1), self -> passivations.incrementAndGet()));
        assertTrue(kit.runCommand(new MigrationCommand.KeepWarm(T0.plusSeconds(30).toEpochMilli())).hasNoEvents());
        clock.advance(Duration.ofSeconds(29));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(0, passivations.get(), "a spare stays while its KeepWarm lasts");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(1, passivations.get(), "and leaves memory once it ran out");
        assertTrue(gateway.sent().isEmpty(), "a spare sends nothing");

        // Taken by a request: a migration like any other, which a late KeepWarm leaves alone.
        kit.runCommand(new MigrationCommand.KeepWarm(clock.instant().plusSeconds(30).toEpochMilli()));
        created(policy());
        assertTrue(kit.runCommand(new MigrationCommand.KeepWarm(clock.instant().plusSeconds(30).toEpochMilli())).hasNoEvents());
        events(run(re -> new DestinationPrepareFailed("no port", re)), MigrationFailed.class);
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(2, passivations.get(), "an ended migration leaves at its next tick, warm or not");
    }

    @Test
    void aSilentCancelIsReconciledByAskingTheSource() {
        migrating(policy());
        run(re -> new Cancel("stop", re));
        gateway.take();
        clock.advance(MigrationEntity.RECONCILE_AFTER);
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "not before the interval has passed");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        AgentCommand.QueryMigration q = assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertEquals(SRC, q.hostId());
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "once per interval");
        clock.advance(MigrationEntity.RECONCILE_AFTER.plusSeconds(1));
        kit.runCommand(new Tick());
        AgentCommand.QueryMigration again = assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertNotEquals(q.commandId(), again.commandId(), "a query is a read: a fresh id each time");
    }

    @Test
    void aSilentDestinationIsAskedAgainThenRecordedOverdueOnce() {
        migrating(policy());
        run(SourceCompleted::new);
        gateway.take();
        clock.advance(MigrationEntity.CONFIRM_REQUERY.minusSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertTrue(gateway.sent().isEmpty(), "not before the interval has passed");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        AgentCommand.QueryMigration q = assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertEquals(DST, q.hostId());

        repeated(run(re -> new DestinationNotRunning("inmigrate", re))); // still loading: asked again, nothing recorded
        clock.advance(MigrationEntity.CONFIRM_TIMEOUT);
        var overdue = kit.runCommand(new Tick());
        ConfirmationOverdue co = (ConfirmationOverdue) events(overdue, ConfirmationOverdue.class).get(0);
        phases(co, Phase.CONFIRMING, Phase.CONFIRMING);
        assertTrue(co.reason().contains("has not confirmed it runs the guest 62 s after the switchover"), co.reason());
        assertTrue(co.reason().contains("it last reported the VM inmigrate"), co.reason());
        assertTrue(co.reason().contains("nothing is resumed while the destination may run it"), co.reason());
        assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertEquals(co.reason(), ok(run(Get::new)).reason(), "the summary says why");
        assertEquals(Phase.CONFIRMING, ok(run(Get::new)).phase());

        clock.advance(MigrationEntity.CONFIRM_TIMEOUT);
        assertTrue(kit.runCommand(new Tick()).hasNoEvents(), "overdue is recorded once");
        assertInstanceOf(AgentCommand.QueryMigration.class, gateway.take().get(0));
        assertTrue(error(run(re -> new Cancel("give up", re))).contains("cannot be cancelled"));

        var late = run(DestinationConfirmed::new);
        phases(events(late, MigrationCompleted.class).get(0), Phase.CONFIRMING, Phase.COMPLETED);
        assertInstanceOf(AgentCommand.RetireVm.class, gateway.take().get(0));
    }

    @Test
    void aDestinationThatLostTheGuestAfterPrecopyHasTheSourceResumeIt() {
        migrating(policy());
        run(SourceCompleted::new);
        gateway.take();
        var r = run(re -> new DestinationNotRunning("stopped", re));
        assertEquals(Phase.RESUMING_SOURCE, ok(r).phase());
        DestinationLost lost = (DestinationLost) events(r, DestinationLost.class).get(0);
        phases(lost, Phase.CONFIRMING, Phase.RESUMING_SOURCE);
        assertEquals("stopped", lost.destinationVmState());
        assertTrue(lost.reason().contains("the destination host kvm-2 reports the VM stopped after the switchover"), lost.reason());
        assertTrue(lost.reason().contains("the source kvm-1 still holds the whole guest, paused, and is told to resume it"), lost.reason());
        List<RecordingGateway.Sent> sent = gateway.sent();
        assertEquals(List.of(new AgentCommand.StopVm(lost.stopCommandId(), DST, VM, true),
                new AgentCommand.ResumeSource(lost.resumeCommandId(), SRC, VM, id)), gateway.take(), "stop the destination, then resume");
        int persisted = journal.persistedInStorage("Migration|" + id).size();
        assertEquals(List.of(persisted, persisted), sent.stream().map(RecordingGateway.Sent::journalSize).toList(),
                "the phase is persisted before the source is resumed");

        repeated(run(re -> new DestinationNotRunning("stopped", re)));
        assertTrue(error(run(re -> new Cancel("no", re))).contains("resuming the guest on kvm-1"));

        var restarted = kit.restart();
        assertInstanceOf(ResumingSource.class, restarted.state());
        assertEquals(List.of(new AgentCommand.StopVm(lost.stopCommandId(), DST, VM, true),
                new AgentCommand.ResumeSource(lost.resumeCommandId(), SRC, VM, id)), gateway.take(), "re-sent under the same ids");
        clock.advance(MigrationEntity.RECONCILE_AFTER.plusSeconds(1));
        assertTrue(kit.runCommand(new Tick()).hasNoEvents());
        assertEquals(List.of(new AgentCommand.ResumeSource(lost.resumeCommandId(), SRC, VM, id)), gateway.take(),
                "an unanswered resume is sent again under its id");

        var resumed = run(SourceResumed::new);
        assertEquals(Phase.FAILED, ok(resumed).phase());
        MigrationFailed mf = (MigrationFailed) events(resumed, MigrationFailed.class).get(0);
        phases(mf, Phase.RESUMING_SOURCE, Phase.FAILED);
        assertEquals("the destination host kvm-2 lost the guest after the switchover (it reports the VM stopped);"
                + " the guest was resumed on the source kvm-1 and runs there", mf.reason());
        repeated(run(SourceResumed::new));
    }

    @Test
    void aSourceThatCannotResumeFailsTheMigrationSayingTheGuestRunsNowhere() {
        migrating(policy());
        run(SourceCompleted::new);
        events(run(re -> new DestinationNotRunning("internal-error", re)), DestinationLost.class);
        gateway.take();
        var r = run(re -> new SourceResumeFailed("VM 'vm-42' cannot be resumed: its QEMU on this host is not running", re));
        MigrationFailed mf = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(mf, Phase.RESUMING_SOURCE, Phase.FAILED);
        assertTrue(mf.reason().contains("resuming it on the source kvm-1 failed: VM 'vm-42' cannot be resumed"), mf.reason());
        assertTrue(mf.reason().endsWith("the guest runs nowhere and needs an operator"), mf.reason());
    }

    @Test
    void aDestinationThatLostTheGuestAfterPostcopyIsNeverReplacedByTheStaleSource() {
        migrating(postcopyPolicy());
        events(progress(1, 500_000_000L, null), ProgressRecorded.class);
        events(progress(2, 400_000_000L, 5000L), ProgressRecorded.class, PostcopySwitchRequested.class);
        phases(events(run(SourceCompleted::new), SwitchoverCompleted.class).get(0), Phase.POSTCOPY, Phase.CONFIRMING);
        gateway.take();
        var r = run(re -> new DestinationNotRunning("stopped", re));
        MigrationFailed mf = (MigrationFailed) events(r, MigrationFailed.class).get(0);
        phases(mf, Phase.CONFIRMING, Phase.FAILED);
        assertTrue(mf.reason().contains("went through post-copy"), mf.reason());
        assertTrue(mf.reason().contains("is not resumed on kvm-1"), mf.reason());
        assertTrue(gateway.sent().isEmpty(), "nothing is resumed or stopped");
    }

    // ------------------------------------------------------------ recovery

    @Test
    void afterARestartWhilePreparingPrepareIncomingAndTheArmingAreResentUnderTheSameIds() {
        run(re -> new Create(VM, SRC, DST, 1024, 2, policy(), re));
        List<AgentCommand> first = gateway.take();
        assertEquals(2, first.size());
        var restarted = kit.restart();
        assertInstanceOf(Preparing.class, restarted.state());
        assertEquals(first, gateway.take());
    }

    @Test
    void afterARestartWhileMigratingTheSameCommandsAreResentAndQemuIsAsked() {
        created(policy());
        run(re -> new MigrationCommand.DestinationPrepared(URI, re));
        events(progress(1, 500_000_000L, null), ProgressRecorded.class);
        events(progress(2, 100_000_000L, 900L), ProgressRecorded.class, ConvergenceDecisionTaken.class);
        List<AgentCommand> original = gateway.take();
        assertEquals(1, original.size(), "tune-1 (no tick ran, so no destination-ready yet): " + original);

        var restarted = kit.restart();
        Migrating m = assertInstanceOf(Migrating.class, restarted.state());
        assertEquals(URI, m.run().uri());
        assertEquals(2, m.run().pass());
        assertEquals(200, m.run().downtimeLimitMs());
        List<AgentCommand> resent = gateway.take();
        assertEquals(4, resent.size(), resent.toString());
        AgentCommand.StartMigration arm = assertInstanceOf(AgentCommand.StartMigration.class, resent.get(0));
        assertEquals("migration/" + id + "/start-migration", arm.commandId(), "the arming under the same id");
        AgentCommand.DestinationReady ready = assertInstanceOf(AgentCommand.DestinationReady.class, resent.get(1));
        assertEquals("migration/" + id + "/destination-ready", ready.commandId(), "destination-ready at once, under the hand-off's id");
        assertEquals(URI, ready.uri());
        assertEquals(original.get(0), resent.get(2), "tune-1 under the same id, with the same settings");
        AgentCommand.QueryMigration q = assertInstanceOf(AgentCommand.QueryMigration.class, resent.get(3));
        assertEquals(SRC, q.hostId());
    }

    @Test
    void afterARestartInPostcopyTheSwitchIsResentAndStillNoCancel() {
        migrating(postcopyPolicy());
        progress(1, 500_000_000L, null);
        progress(2, 400_000_000L, 5000L);
        AgentCommand sw = gateway.take().get(0);
        var restarted = kit.restart();
        assertInstanceOf(Postcopy.class, restarted.state());
        List<AgentCommand> resent = gateway.take();
        assertEquals(sw, resent.get(0));
        assertInstanceOf(AgentCommand.QueryMigration.class, resent.get(1));
        assertTrue(error(run(re -> new Cancel("after restart", re))).contains("never cancelled"));
    }

    @Test
    void aLongMigrationRecoversFromItsSnapshot() {
        // over 200 recorded samples, a second apart: within a completion budget that allows them
        migrating(policy().withCompletionTimeoutPerGiB(Duration.ofHours(1)));
        for (int i = 1; i <= 205; i++) {
            clock.advance(MigrationEntity.PROGRESS_RECORD_INTERVAL); // each sample is due to be recorded
            Instant at = clock.instant();
            long pass = 1 + i / 50;
            long remaining = 1_000_000_000L - i;
            events(run(re -> new Progress(sample(MigrationStatus.ACTIVE, pass, remaining, null), at, re)), ProgressRecorded.class);
        }
        gateway.take();
        assertFalse(org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit.create(testKit.system())
                .persistedInStorage("Migration|" + id).isEmpty(), "a snapshot was taken");
        Migrating m = assertInstanceOf(Migrating.class, kit.restart().state());
        assertEquals(5, m.run().pass());
        assertEquals(1_000_000_000L - 205, m.run().lowestRemaining());
        assertEquals(clock.instant(), m.run().lastSampleAt());
    }

    @Test
    void afterARestartOnceCompletedTheSourceIsRetiredAgainUnderTheSameId() {
        migrating(policy());
        run(SourceCompleted::new);
        run(DestinationConfirmed::new);
        List<AgentCommand> sent = gateway.take();
        AgentCommand retire = assertInstanceOf(AgentCommand.RetireVm.class, sent.get(sent.size() - 1));
        var restarted = kit.restart();
        assertInstanceOf(Completed.class, restarted.state());
        assertEquals(List.of(retire), gateway.take());
    }

    @Test
    void onceTheSourceAnsweredItsRetirementARestartSendsNothing() {
        migrating(policy());
        run(SourceCompleted::new);
        run(DestinationConfirmed::new);
        String retire = "migration/" + id + "/retire-source";
        gateway.take();
        // Another command's answer, or an answer in a phase that has not ended, records nothing.
        repeated(run(re -> new MigrationCommand.CleanUpAnswered("migration/" + id + "/stop-destination", DST, true, null, re)));
        var r = run(re -> new MigrationCommand.CleanUpAnswered(retire, SRC, true, null, re));
        MigrationEvent.CleanUpAnswered a = (MigrationEvent.CleanUpAnswered) events(r, MigrationEvent.CleanUpAnswered.class).get(0);
        assertEquals(1, r.events().size(), r.events().toString());
        phases(a, Phase.COMPLETED, Phase.COMPLETED);
        assertEquals(retire, a.commandId());
        assertEquals(SRC, a.hostId());
        assertTrue(a.ok());
        assertTrue(assertInstanceOf(Completed.class, r.state()).cleanedUp());
        repeated(run(re -> new MigrationCommand.CleanUpAnswered(retire, SRC, true, null, re)));
        var restarted = kit.restart();
        assertTrue(assertInstanceOf(Completed.class, restarted.state()).cleanedUp());
        assertEquals(List.of(), gateway.take(), "nothing re-sent to the source that answered");
    }

    @Test
    void aRefusedStopOfTheDestinationIsRecordedWithItsErrorAndNotSentAgain() {
        migrating(policy());
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        run(re -> new Progress(MigrationInfo.ofStatus(MigrationStatus.FAILED, "Unable to write to socket"), at, re));
        String stop = "migration/" + id + "/stop-destination";
        assertEquals(List.of(new AgentCommand.StopVm(stop, DST, VM, true)), gateway.take());
        var r = run(re -> new MigrationCommand.CleanUpAnswered(stop, DST, false, "VM 'vm-42' is not running on this host", re));
        MigrationEvent.CleanUpAnswered a = (MigrationEvent.CleanUpAnswered) events(r, MigrationEvent.CleanUpAnswered.class).get(0);
        assertEquals(1, r.events().size(), r.events().toString());
        phases(a, Phase.FAILED, Phase.FAILED);
        assertEquals("VM 'vm-42' is not running on this host", a.error());
        Failed f = assertInstanceOf(Failed.class, r.state());
        assertTrue(f.cleanedUp());
        assertEquals("the source host kvm-1 reports the migration failed: Unable to write to socket", f.reason(), "the reason stays");
        kit.restart();
        assertEquals(List.of(), gateway.take());
    }
}
