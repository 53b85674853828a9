package io.drover.agent.service;

import io.drover.agent.qemu.Accel;
import io.drover.broker.EmbeddedKafka;
import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.HostStatus;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.qemu.QemuFixture;
import io.drover.agent.qemu.QemuProcess;
import io.drover.events.MigrationEvent;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.QmpEventData;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A live migration between two agent services, driven only by commands, as the coordinator drives it. */
class AgentMigrationTest {
    static final int MEMORY_MIB = 64;

    @TempDir static Path kafkaDir;
    static EmbeddedKafka kafka;
    @TempDir Path tmp;
    final List<AgentService> agents = new ArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    CommandBus bus;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(kafkaDir);
        kafka.createTopic(Topics.AGENT_COMMANDS, 2);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @BeforeEach
    void connect() {
        bus = new CommandBus(kafka.bootstrapServers());
    }

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(AgentService::close);
        bus.close();
        Qemus.killAll(tmp);
    }

    AgentService agent(String hostId) {
        AgentService a = AgentService.start(AgentConfig.of(hostId, kafka.bootstrapServers(), tmp.resolve(hostId), Accel.detect())
                .withHeartbeatInterval(Duration.ofSeconds(1)), lines::add);
        agents.add(a);
        return a;
    }

    @Test
    void migratesBetweenTwoAgentsByCommands() throws Exception {
        AgentService a = agent("mig-a");
        AgentService b = agent("mig-b");
        MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(32L << 20).sampleInterval(Duration.ofMillis(100)).build();

        boot("m", "mig-a", "vm-m", 8L << 20);

        bus.send(new AgentCommand.PrepareIncoming("m-3", "mig-b", "vm-m", "mig-1", MEMORY_MIB, 1, policy));
        CommandResult prepared = bus.result("m-3");
        assertTrue(prepared.ok(), prepared.toString());
        String uri = prepared.data().path("uri").asText();
        assertTrue(uri.startsWith("tcp:127.0.0.1:"), uri);
        assertEquals("inmigrate", b.vms().get(0).state());

        // Not retired before the migration.
        bus.send(new AgentCommand.RetireVm("m-4", "mig-a", "vm-m", "mig-1"));
        assertFalse(bus.result("m-4").ok());

        bus.send(new AgentCommand.StartMigration("m-5", "mig-a", "vm-m", "mig-1", uri, policy));
        assertTrue(bus.result("m-5").ok(), bus.result("m-5").toString());
        DroverRecord<?> outcomeRecord = bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome o
                && o.migrationId().equals("mig-1"), 1);
        MigrationOutcome outcome = (MigrationOutcome) outcomeRecord.data();
        assertEquals(MigrationStatus.COMPLETED, outcome.status(), outcome.toString());
        assertEquals("drover://host/mig-a", outcomeRecord.source());
        assertEquals("vm-m", outcomeRecord.subject());

        // The destination runs the guest, and says so itself: a DESTINATION sample of its completed query-migrate.
        awaitState(b, "running");
        DroverRecord<?> arrived = bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationSample s
                && io.drover.events.MigrationRole.DESTINATION.equals(s.role()) && s.migrationId().equals("mig-1"), 1);
        assertEquals("drover://host/mig-b", arrived.source());
        assertEquals(MigrationStatus.COMPLETED, ((MigrationSample) arrived.data()).info().status(), arrived.toString());
        assertEquals(new HostStatus.VmState("vm-m", "running", MEMORY_MIB, 1), b.vms().get(0));

        bus.send(new AgentCommand.QueryMigration("m-6", "mig-a", "vm-m", "mig-1"));
        CommandResult q = bus.result("m-6");
        assertTrue(q.ok(), q.toString());
        assertEquals("completed", q.data().path("queryMigrate").path("status").asText(), q.toString());
        assertEquals("postmigrate", q.data().path("queryStatus").path("status").asText(), q.toString());
        assertEquals("COMPLETED", q.data().path("phase").asText());

        bus.send(new AgentCommand.RetireVm("m-7", "mig-a", "vm-m", "mig-1"));
        CommandResult retired = bus.result("m-7");
        assertTrue(retired.ok(), retired.toString());
        assertEquals(List.of(), a.vms());

        // Both hosts' QMP events and the source's samples went to the events topic, keyed by the VM.
        bus.poll(Topics.AGENT_EVENTS);
        List<DroverRecord<?>> events = bus.all(Topics.AGENT_EVENTS);
        assertTrue(events.stream().anyMatch(r -> r.source().equals("drover://host/mig-a") && r.data() instanceof QmpEventData d
                && d.eventName().equals("MIGRATION")), "source MIGRATION events");
        assertTrue(events.stream().anyMatch(r -> r.source().equals("drover://host/mig-b") && r.type().equals(RecordTypes.qmp("RESUME"))),
                "the destination's RESUME");
        assertTrue(events.stream().anyMatch(r -> r.data() instanceof MigrationSample), "samples of " + outcome);
        assertTrue(lines.stream().anyMatch(l -> l.equals("migration mig-1 of vm-m: completed")), lines.toString());
    }

    @Test
    void anArmedSourceMigratesWhenTheDestinationHandsItsUriOverAndTheCoordinatorsCopyIsARepeat() throws Exception {
        agent("ho-a");
        AgentService b = AgentService.start(AgentConfig.of("ho-b", kafka.bootstrapServers(), tmp.resolve("ho-b"), Accel.detect())
                .withHeartbeatInterval(Duration.ofSeconds(1)).withIncomingLease(LEASE), lines::add);
        agents.add(b);
        long prepareAt = System.nanoTime();
        MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(64L << 20).sampleInterval(Duration.ofMillis(200)).build();
        boot("h", "ho-a", "vm-h", 4L << 20);

        // The coordinator's order: arm the source, prepare the destination with a hand-off to the source.
        bus.send(new AgentCommand.StartMigration("h-3", "ho-a", "vm-h", "mig-h", null, policy));
        CommandResult armed = bus.result("h-3");
        assertTrue(armed.ok(), armed.toString());
        assertTrue(armed.data().path("armed").asBoolean(), armed.toString());
        bus.send(new AgentCommand.PrepareIncoming("h-4", "ho-b", "vm-h", "mig-h", MEMORY_MIB, 1, policy,
                new AgentCommand.HandOff("ho-a", "h-5")));
        CommandResult prepared = bus.result("h-4");
        assertTrue(prepared.ok(), prepared.toString());
        String uri = prepared.data().path("uri").asText();

        // The destination's agent told the source itself, before its own result: the source migrated on it.
        CommandResult ready = bus.result("h-5");
        assertTrue(ready.ok(), ready.toString());
        assertFalse(ready.duplicate());
        assertTrue(ready.data().path("migrateIssued").asBoolean(), ready.toString());
        assertEquals(uri, ready.data().path("uri").asText());
        DroverRecord<?> handOff = bus.await(Topics.AGENT_COMMANDS, r -> r.data() instanceof AgentCommand.DestinationReady d
                && d.commandId().equals("h-5"), 1);
        assertEquals("drover://host/ho-b", handOff.source(), "sent by the destination's agent");
        MigrationOutcome outcome = (MigrationOutcome) bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome o
                && o.migrationId().equals("mig-h"), 1).data();
        assertEquals(MigrationStatus.COMPLETED, outcome.status(), outcome.toString());
        awaitState(b, "running");

        // The coordinator's copy, under the same id, is answered with the first result and changes nothing.
        bus.send(new AgentCommand.DestinationReady("h-5", "ho-a", "vm-h", "mig-h", uri));
        CommandResult again = bus.result("h-5", 2);
        assertTrue(again.duplicate(), again.toString());
        assertTrue(again.data().path("migrateIssued").asBoolean(), again.toString());

        // The lease of an incoming QEMU that its source reached changes nothing.
        Thread.sleep(Math.max(0, LEASE.plusSeconds(1).toMillis() - (System.nanoTime() - prepareAt) / 1_000_000));
        assertEquals("running", b.vms().get(0).state());
    }

    static final Duration LEASE = Duration.ofSeconds(4);

    @Test
    void anArmedSourceStandsDownOnACancelAndACancelBeforeTheArmingRefusesItLater() throws Exception {
        agent("dr-a");
        boot("d", "dr-a", "vm-d", 0);
        MigrationPolicy policy = MigrationPolicy.defaults();

        // Armed, then cancelled before any destination listened: nothing was migrated, and the outcome says so.
        bus.send(new AgentCommand.StartMigration("d-3", "dr-a", "vm-d", "mig-d1", null, policy));
        assertTrue(bus.result("d-3").ok());
        bus.send(new AgentCommand.CancelMigration("d-4", "dr-a", "vm-d", "mig-d1"));
        assertTrue(bus.result("d-4").ok(), bus.result("d-4").toString());
        MigrationOutcome o = (MigrationOutcome) bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome x
                && x.migrationId().equals("mig-d1"), 1).data();
        assertEquals(MigrationStatus.CANCELLED, o.status(), o.toString());
        assertTrue(o.errorDesc().contains("before the destination listened"), o.toString());
        // A destination's word that comes after that is refused, naming why.
        bus.send(new AgentCommand.DestinationReady("d-5", "dr-a", "vm-d", "mig-d1", "tcp:127.0.0.1:9"));
        CommandResult late = bus.result("d-5");
        assertFalse(late.ok());
        assertTrue(late.error().contains("ended cancelled"), late.error());

        // A cancel that overtakes the arming: reported as the outcome, and the arming is refused when it comes.
        bus.send(new AgentCommand.CancelMigration("d-6", "dr-a", "vm-d", "mig-d2"));
        assertEquals("cancelled-before-start", bus.result("d-6").data().path("state").asText());
        MigrationOutcome pre = (MigrationOutcome) bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome x
                && x.migrationId().equals("mig-d2"), 1).data();
        assertEquals(MigrationStatus.CANCELLED, pre.status());
        bus.send(new AgentCommand.StartMigration("d-7", "dr-a", "vm-d", "mig-d2", null, policy));
        CommandResult refused = bus.result("d-7");
        assertFalse(refused.ok());
        assertTrue(refused.error().contains("was cancelled on this host before it started"), refused.error());
    }

    @Test
    void aDestinationsWordBeforeTheArmingIsKeptAndTheArmingMigratesAtOnce() throws Exception {
        agent("nt-a");
        agent("nt-b");
        MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(64L << 20).build();
        boot("n", "nt-a", "vm-n", 0);
        bus.send(new AgentCommand.PrepareIncoming("n-3", "nt-b", "vm-n", "mig-n", MEMORY_MIB, 1, policy,
                new AgentCommand.HandOff("nt-a", "n-4")));
        CommandResult noted = bus.result("n-4");
        assertTrue(noted.ok(), noted.toString());
        assertTrue(noted.data().path("noted").asBoolean(), noted.toString());
        bus.send(new AgentCommand.StartMigration("n-5", "nt-a", "vm-n", "mig-n", null, policy));
        CommandResult started = bus.result("n-5");
        assertTrue(started.ok(), started.toString());
        assertTrue(started.data().path("migrateIssued").asBoolean(), "the arming found the destination's uri: " + started);
        MigrationOutcome o = (MigrationOutcome) bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome x
                && x.migrationId().equals("mig-n"), 1).data();
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
    }

    @Test
    void anIncomingQemuThatNoSourceReachesStopsWhenItsLeaseRunsOut() throws Exception {
        AgentService b = AgentService.start(AgentConfig.of("ls-b", kafka.bootstrapServers(), tmp.resolve("ls-b"), Accel.detect())
                .withHeartbeatInterval(Duration.ofSeconds(1)).withIncomingLease(Duration.ofSeconds(2)), lines::add);
        agents.add(b);
        // A request the coordinator never persisted: prepared, but no source is ever armed for it.
        bus.send(new AgentCommand.PrepareIncoming("ls-1", "ls-b", "vm-l", "mig-lost", MEMORY_MIB, 1, MigrationPolicy.defaults(),
                new AgentCommand.HandOff("ls-a", "ls-2")));
        assertTrue(bus.result("ls-1").ok(), bus.result("ls-1").toString());
        assertEquals("inmigrate", b.vms().get(0).state());
        awaitState(b, "stopped");
        // The agent says so right after it stopped the QEMU.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (lines.stream().noneMatch(l -> l.contains("stopped the incoming QEMU of vm-l for migration mig-lost"))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("stopped the incoming QEMU of vm-l for migration mig-lost")), lines.toString());
    }

    @Test
    void aPrepareInterruptedAfterItsQemuListenedIsAnsweredAsPreparedByTheNextAgent() throws Exception {
        AgentService b = agent("ip-b");
        MigrationPolicy policy = MigrationPolicy.defaults();
        bus.send(new AgentCommand.PrepareIncoming("ip-1", "ip-b", "vm-i", "mig-i", MEMORY_MIB, 1, policy,
                new AgentCommand.HandOff("ip-a", "ip-2")));
        CommandResult first = bus.result("ip-1");
        assertTrue(first.ok(), first.toString());
        // The agent stops between the hand-off and the journal's record of the result: the entry says in progress.
        b.close();
        agents.remove(b);
        new CommandJournal(tmp.resolve("ip-b")).begin("ip-1", "prepare-incoming");
        AgentService again = agent("ip-b");
        bus.send(new AgentCommand.PrepareIncoming("ip-1", "ip-b", "vm-i", "mig-i", MEMORY_MIB, 1, policy,
                new AgentCommand.HandOff("ip-a", "ip-2")));
        CommandResult recovered = bus.result("ip-1", 2);
        assertTrue(recovered.ok(), "its QEMU still listens: " + recovered);
        assertTrue(recovered.duplicate());
        assertEquals(first.data().path("uri").asText(), recovered.data().path("uri").asText());
        assertEquals("inmigrate", again.vms().get(0).state());

        // Stopped before it recorded anything: the journal does not know the command (prepare-incoming keeps no
        // "begun" entry), so it runs again, finds the QEMU it started for this migration listening, and says so.
        again.close();
        agents.remove(again);
        java.nio.file.Files.delete(new CommandJournal(tmp.resolve("ip-b")).file("ip-1"));
        AgentService third = agent("ip-b");
        bus.send(new AgentCommand.PrepareIncoming("ip-1", "ip-b", "vm-i", "mig-i", MEMORY_MIB, 1, policy,
                new AgentCommand.HandOff("ip-a", "ip-2")));
        CommandResult rerun = bus.result("ip-1", 3);
        assertTrue(rerun.ok(), rerun.toString());
        assertFalse(rerun.duplicate(), "run again, not answered from the journal");
        assertEquals(first.data().path("uri").asText(), rerun.data().path("uri").asText());
        assertEquals(first.data().path("pid").asLong(), rerun.data().path("pid").asLong(), "the same QEMU, not a second one");
        assertEquals("inmigrate", third.vms().get(0).state());

        // Another migration's prepare that was interrupted is not taken for this one.
        new CommandJournal(tmp.resolve("ip-b")).begin("ip-3", "prepare-incoming");
        bus.send(new AgentCommand.PrepareIncoming("ip-3", "ip-b", "vm-i", "mig-other", MEMORY_MIB, 1, policy));
        CommandResult other = bus.result("ip-3");
        assertFalse(other.ok(), other.toString());
        assertTrue(other.error().contains("was interrupted"), other.error());
    }

    /** Defines and starts {@code vm} on {@code host} by commands {@code <prefix>-1} and {@code -2}, until its guest is up. */
    void boot(String prefix, String host, String vm, long dirtyRate) throws Exception {
        bus.send(new AgentCommand.DefineVm(prefix + "-1", host, vm, MEMORY_MIB, 1, dirtyRate));
        bus.send(new AgentCommand.StartVm(prefix + "-2", host, vm));
        assertTrue(bus.result(prefix + "-2").ok(), bus.result(prefix + "-2").toString());
        awaitGuestUp(host, vm);
    }

    /** Migrate a guest that has filled its RAM, not a blank one that moves in milliseconds. */
    void awaitGuestUp(String host, String vm) throws Exception {
        QemuFixture.awaitSerial(QemuProcess.reattach(tmp.resolve(host).resolve("vms").resolve(vm).resolve("source")),
                DirtyGuestImage.SERIAL_BANNER);
    }

    static void awaitState(AgentService agent, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!agent.vms().get(0).state().equals(state) && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(state, agent.vms().get(0).state());
    }

    MigrationOutcome outcome(String migrationId) {
        return (MigrationOutcome) bus.await(Topics.AGENT_EVENTS, r -> r.data() instanceof MigrationOutcome o
                && o.migrationId().equals(migrationId), 1).data();
    }

    @Test
    void tunesCancelsAndRefusesToCancelInPostcopy() throws Exception {
        AgentService a = agent("tc-a");
        AgentService b = agent("tc-b");
        boot("t", "tc-a", "vm-t", 16L << 20);
        // Slow enough that nothing completes before the test steps in.
        MigrationPolicy slow = MigrationPolicy.builder().maxBandwidth(4L << 20).sampleInterval(Duration.ofMillis(100)).build();

        bus.send(new AgentCommand.PrepareIncoming("t-3", "tc-b", "vm-t", "mig-c", MEMORY_MIB, 1, slow));
        String uri = bus.result("t-3").data().path("uri").asText();
        bus.send(new AgentCommand.StartMigration("t-4", "tc-a", "vm-t", "mig-c", uri, slow));
        assertTrue(bus.result("t-4").ok(), bus.result("t-4").toString());
        bus.send(new AgentCommand.StartMigration("t-5", "tc-a", "vm-t", "mig-c2", uri, slow));
        assertTrue(bus.result("t-5").error().contains("already migrating"), bus.result("t-5").toString());
        bus.send(new AgentCommand.TuneMigration("t-6", "tc-a", "vm-t", "mig-c", 50L, 2L << 20, null, null));
        CommandResult tuned = bus.result("t-6");
        assertTrue(tuned.ok(), tuned.toString());
        assertEquals("[\"downtime-limit\",\"max-bandwidth\"]", tuned.data().path("applied").toString());
        bus.send(new AgentCommand.TuneMigration("t-7", "tc-a", "vm-t", "mig-c", null, null, true, null));
        assertTrue(bus.result("t-7").error().contains("auto-converge"), bus.result("t-7").toString());
        bus.send(new AgentCommand.TuneMigration("t-8", "tc-a", "vm-t", "mig-c", null, null, null, true));
        assertTrue(bus.result("t-8").error().contains("post-copy is not allowed"), bus.result("t-8").toString());
        bus.send(new AgentCommand.CancelMigration("t-9", "tc-a", "vm-t", "mig-c"));
        assertTrue(bus.result("t-9").ok(), bus.result("t-9").toString());
        assertEquals(MigrationStatus.CANCELLED, outcome("mig-c").status());
        assertEquals("running", a.vms().get(0).state(), "the source runs on");
        awaitState(b, "stopped"); // QEMU 7.2 ends a destination whose incoming migration was cancelled

        // Again, with post-copy: once in post-copy, a cancel is refused.
        MigrationPolicy postcopy = slow.toBuilder().postcopy(true).build();
        bus.send(new AgentCommand.PrepareIncoming("t-10", "tc-b", "vm-t", "mig-p", MEMORY_MIB, 1, postcopy));
        CommandResult prepared = bus.result("t-10");
        assertTrue(prepared.ok(), prepared.toString());
        bus.send(new AgentCommand.StartMigration("t-11", "tc-a", "vm-t", "mig-p", prepared.data().path("uri").asText(), postcopy));
        assertTrue(bus.result("t-11").ok(), bus.result("t-11").toString());
        bus.send(new AgentCommand.TuneMigration("t-12", "tc-a", "vm-t", "mig-p", null, null, null, true));
        assertTrue(bus.result("t-12").ok(), bus.result("t-12").toString());
        bus.await(Topics.AGENT_EVENTS, r -> r.source().equals("drover://host/tc-a") && r.data() instanceof QmpEventData d
                && d.payload() instanceof MigrationEvent m && m.status().raw().equals("postcopy-active"), 1);
        bus.send(new AgentCommand.CancelMigration("t-13", "tc-a", "vm-t", "mig-p"));
        CommandResult refused = bus.result("t-13");
        assertFalse(refused.ok());
        assertTrue(refused.error().contains("post-copy"), refused.error());
        // Hurry the rest along; post-copy may have finished by itself already, which is just as good.
        bus.send(new AgentCommand.TuneMigration("t-14", "tc-a", "vm-t", "mig-p", null, 256L << 20, null, null));
        CommandResult hurried = bus.result("t-14");
        assertTrue(hurried.ok() || hurried.error().contains("has no migration running"), hurried.toString());
        assertEquals(MigrationStatus.COMPLETED, outcome("mig-p").status());
        awaitState(b, "running");
        // After post-copy the source's copy of the guest is stale: it is never resumed.
        bus.send(new AgentCommand.ResumeSource("t-16", "tc-a", "vm-t", "mig-p"));
        CommandResult stale = bus.result("t-16");
        assertFalse(stale.ok(), stale.toString());
        assertTrue(stale.error().contains("went to post-copy"), stale.error());
        bus.send(new AgentCommand.RetireVm("t-15", "tc-a", "vm-t", "mig-p"));
        assertTrue(bus.result("t-15").ok(), bus.result("t-15").toString());
    }

    /** The source's agent stops mid-migration; QEMU migrates on; the next agent re-attaches and reports the outcome. */
    @Test
    void aRestartedSourceAgentReattachesToItsMigration() throws Exception {
        AgentService a = agent("rs-a");
        agent("rs-b");
        boot("r", "rs-a", "vm-r", 16L << 20);
        MigrationPolicy slow = MigrationPolicy.builder().maxBandwidth(4L << 20).sampleInterval(Duration.ofMillis(100)).build();
        bus.send(new AgentCommand.PrepareIncoming("r-3", "rs-b", "vm-r", "mig-r", MEMORY_MIB, 1, slow));
        bus.send(new AgentCommand.StartMigration("r-4", "rs-a", "vm-r", "mig-r", bus.result("r-3").data().path("uri").asText(), slow));
        assertTrue(bus.result("r-4").ok(), bus.result("r-4").toString());

        a.close();
        agents.remove(a);
        // As if the agent had died while answering start-migration, after QEMU was told to migrate.
        new CommandJournal(tmp.resolve("rs-a")).begin("r-4", "start-migration");
        AgentService again = agent("rs-a");
        assertTrue(lines.stream().anyMatch(l -> l.equals("re-attached to migration mig-r of vm-r in phase MIGRATING")), lines.toString());
        bus.send(new AgentCommand.StartMigration("r-4", "rs-a", "vm-r", "mig-r", bus.result("r-3").data().path("uri").asText(), slow));
        CommandResult interrupted = bus.result("r-4", 2);
        assertTrue(interrupted.ok() && interrupted.duplicate(), "it took effect and is followed: " + interrupted);
        bus.send(new AgentCommand.TuneMigration("r-5", "rs-a", "vm-r", "mig-r", null, 256L << 20, null, null));
        assertTrue(bus.result("r-5").ok(), bus.result("r-5").toString());
        assertEquals(MigrationStatus.COMPLETED, outcome("mig-r").status());
        long outcomes = bus.all(Topics.AGENT_EVENTS).stream().filter(r -> r.data() instanceof MigrationOutcome o
                && o.migrationId().equals("mig-r")).count();
        assertEquals(1, outcomes, "no verdict from the agent that let go");
        bus.send(new AgentCommand.RetireVm("r-6", "rs-a", "vm-r", "mig-r"));
        assertTrue(bus.result("r-6").ok(), bus.result("r-6").toString());
        assertEquals(List.of(), again.vms());
    }

    /**
     * The source completed, then the destination's QEMU died before anyone confirmed the guest runs there:
     * the destination reports the VM stopped, and resume-source brings the guest back on the source, whose
     * QEMU still holds all of it (postmigrate). A second resume-source answers without acting.
     */
    @Test
    void aSourceResumesWhenTheDestinationLostTheGuestAfterSwitchover() throws Exception {
        AgentService a = agent("rl-a");
        AgentService b = agent("rl-b");
        boot("l", "rl-a", "vm-l", 8L << 20);
        MigrationPolicy policy = MigrationPolicy.builder().sampleInterval(Duration.ofMillis(100)).build();

        bus.send(new AgentCommand.ResumeSource("l-3", "rl-a", "vm-l", "mig-l"));
        CommandResult notPaused = bus.result("l-3");
        assertTrue(notPaused.ok(), notPaused.toString());
        assertFalse(notPaused.data().path("resumed").asBoolean(), "a running source is left alone: " + notPaused);

        bus.send(new AgentCommand.PrepareIncoming("l-4", "rl-b", "vm-l", "mig-l", MEMORY_MIB, 1, policy));
        String uri = bus.result("l-4").data().path("uri").asText();
        bus.send(new AgentCommand.StartMigration("l-5", "rl-a", "vm-l", "mig-l", uri, policy));
        assertTrue(bus.result("l-5").ok(), bus.result("l-5").toString());
        assertEquals(MigrationStatus.COMPLETED, outcome("mig-l").status());
        awaitState(a, "postmigrate");

        QemuProcess destination = QemuProcess.reattach(tmp.resolve("rl-b").resolve("vms").resolve("vm-l")
                .resolve(VmManager.INCOMING_INSTANCE));
        destination.kill();
        awaitState(b, "stopped");
        bus.send(new AgentCommand.QueryMigration("l-6", "rl-b", "vm-l", "mig-l"));
        assertEquals("stopped", bus.result("l-6").data().path("vmState").asText(), bus.result("l-6").toString());

        bus.send(new AgentCommand.ResumeSource("l-7", "rl-a", "vm-l", "mig-l"));
        CommandResult resumed = bus.result("l-7");
        assertTrue(resumed.ok(), resumed.toString());
        assertTrue(resumed.data().path("resumed").asBoolean(), resumed.toString());
        assertEquals("postmigrate", resumed.data().path("from").asText(), resumed.toString());
        awaitState(a, "running");
        assertEquals(new HostStatus.VmState("vm-l", "running", MEMORY_MIB, 1), a.vms().get(0));

        bus.send(new AgentCommand.ResumeSource("l-8", "rl-a", "vm-l", "mig-l"));
        assertFalse(bus.result("l-8").data().path("resumed").asBoolean(), bus.result("l-8").toString());
    }
}
