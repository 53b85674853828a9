package io.drover.agent.engine;

import io.drover.events.MigrationPolicy;
import io.drover.agent.guest.ConsistencyCheck;
import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.local.LocalMigration;
import io.drover.agent.qemu.Accel;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration engine against real QEMU 7.2: two QEMU processes per test, the dirtying guest in
 * the source, the engine between them. No mock stands in for QEMU.
 */
class MigrationEngineTest {
    static final int MEMORY_MIB = 128;
    static final long MEM = (long) MEMORY_MIB << 20;
    static final long MiB = 1 << 20;
    /** Generous: the slowest scenario here (post-copy under a cap) takes some seconds. */
    static final Duration OUTCOME_TIMEOUT = Duration.ofMinutes(3);

    @TempDir Path tmp;
    final List<LocalMigration> opened = new ArrayList<>();

    @AfterEach
    void stopVms() {
        opened.forEach(LocalMigration::close);
    }

    LocalMigration prepare(String name, DirtyGuestSpec guest, MigrationPolicy policy) {
        LocalMigration m = LocalMigration.prepare(tmp.resolve(name), "vm-" + name, MEMORY_MIB, 1, guest, policy, Accel.detect());
        opened.add(m);
        return m;
    }

    static MigrationOutcome await(MigrationRun run) throws Exception {
        return run.await(OUTCOME_TIMEOUT);
    }

    static void assertConsistent(LocalMigration m, MigrationOutcome o) {
        ConsistencyCheck.Result r = m.checkConsistency(o);
        assertTrue(r.consistent(), "guest memory after migration: " + r.explanation());
    }

    static boolean sourceRunning(LocalMigration m) {
        return m.sourceEndpoint().qmp().execute("query-status").path("running").asBoolean();
    }

    static void waitFor(String what, Duration limit, BooleanSupplier cond) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!cond.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** Starts the migration and returns once it has been active for a moment (well before it can complete). */
    static MigrationRun startAndWaitUntilActive(LocalMigration m, Recorder rec) throws InterruptedException {
        MigrationRun run = m.start(rec);
        waitFor("active", Duration.ofSeconds(30), () -> MigrationStatus.ACTIVE.equals(run.sourceStatus()));
        Thread.sleep(500);
        return run;
    }

    @Test
    void idleVmMigratesWithTheExactEventSequenceOnBothSides() throws Exception {
        LocalMigration m = prepare("idle", DirtyGuestSpec.idle(), MigrationPolicy.defaults());
        Recorder rec = new Recorder();
        MigrationOutcome o = await(m.start(rec));

        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertEquals(List.of(MigrationPhase.INCOMING_READY, MigrationPhase.MIGRATING, MigrationPhase.CONFIRMING,
                MigrationPhase.COMPLETED), rec.phases);
        // Source: setup, the first bitmap sync, active, further syncs, the vCPUs stop, the last
        // sync, completed. QEMU 7.2 may sync once or twice more before stopping an idle guest.
        List<String> src = rec.brief(Side.SOURCE);
        List<String> expectedSrc = new ArrayList<>(List.of("MIGRATION setup", "MIGRATION_PASS", "MIGRATION active"));
        int middlePasses = src.size() - 6;
        for (int i = 0; i < middlePasses; i++) expectedSrc.add("MIGRATION_PASS");
        expectedSrc.addAll(List.of("STOP", "MIGRATION_PASS", "MIGRATION completed"));
        assertEquals(expectedSrc, src, "source events");
        assertTrue(middlePasses >= 0 && middlePasses <= 2, "an idle guest needs at most 2 extra passes: " + src);
        // Destination: setup at migrate-incoming, active while receiving; QEMU 7.2 starts the vCPUs
        // (RESUME) before it reports completed (process_incoming_migration_bh: vm_start, then the state).
        assertEquals(List.of("MIGRATION setup", "MIGRATION active", "RESUME", "MIGRATION completed"),
                rec.brief(Side.DESTINATION), "destination events");
        assertEquals(src.stream().filter(e -> e.equals("MIGRATION_PASS")).count(), o.passes());
        assertNotNull(o.downtimeMs());
        assertTrue(o.transferredBytes() > 0);
        assertConsistent(m, o);
    }

    @Test
    void aDirtyingGuestNeedsMoreThanThreePasses() throws Exception {
        MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(32 * MiB).build();
        LocalMigration m = prepare("dirty", DirtyGuestSpec.forRate(16 * MiB, MEM), policy);
        Recorder rec = new Recorder();
        MigrationOutcome o = await(m.start(rec));
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertTrue(o.passes() > 3, "passes: " + o.passes());
        assertEquals(o.passes(), rec.passes.get(rec.passes.size() - 1), "the last pass the listener saw: " + rec.passes);
        for (int i = 1; i < rec.passes.size(); i++) {
            assertTrue(rec.passes.get(i) > rec.passes.get(i - 1), "the listener hears the passes in order: " + rec.passes);
        }
        assertConsistent(m, o);
    }

    @Test
    void underATightCapItDoesNotConvergeWithoutAutoConvergeAndDoesWithIt() throws Exception {
        DirtyGuestSpec guest = DirtyGuestSpec.forRate(40 * MiB, MEM);
        MigrationPolicy capped = MigrationPolicy.builder().maxBandwidth(32 * MiB)
                .completionTimeout(Duration.ofSeconds(20)).build();

        LocalMigration without = prepare("no-ac", guest, capped);
        Recorder rec = new Recorder();
        MigrationOutcome o = await(without.start(rec));
        assertEquals(MigrationStatus.CANCELLED, o.status(), o.toString());
        assertTrue(rec.decided("cancel: Not completed within the completion timeout"), rec.decisions.toString());
        assertTrue(o.passes() > 3, "it kept trying: " + o.passes() + " passes");
        assertTrue(sourceRunning(without), "the source keeps running after the cancel");
        assertConsistent(without, o);
        without.close();
        opened.remove(without);

        LocalMigration with = prepare("ac", guest, capped.toBuilder().autoConverge(true)
                .cpuThrottleInitial(50).cpuThrottleIncrement(20).completionTimeout(Duration.ofSeconds(90)).build());
        Recorder rec2 = new Recorder();
        MigrationOutcome o2 = await(with.start(rec2));
        assertEquals(MigrationStatus.COMPLETED, o2.status(), o2.toString());
        assertTrue(rec2.samples.stream().map(MigrationInfo::cpuThrottlePercentage).anyMatch(p -> p != null && p > 0),
                "auto-converge throttled the guest");
        assertConsistent(with, o2);
    }

    @Test
    void postcopyCompletes() throws Exception {
        MigrationPolicy policy = MigrationPolicy.builder().maxBandwidth(64 * MiB).postcopy(true).postcopyAfterPasses(2).build();
        LocalMigration m = prepare("postcopy", DirtyGuestSpec.forRate(40 * MiB, MEM), policy);
        Recorder rec = new Recorder();
        MigrationOutcome o = await(m.start(rec));
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertTrue(rec.phases.contains(MigrationPhase.POSTCOPY), rec.phases.toString());
        assertTrue(rec.brief(Side.SOURCE).contains("MIGRATION postcopy-active"), rec.brief(Side.SOURCE).toString());
        assertTrue(rec.decided("start-postcopy"), rec.decisions.toString());
        assertConsistent(m, o);
    }

    @Test
    void pauseBeforeSwitchoverHoldsUntilContinued() throws Exception {
        LocalMigration m = prepare("pause", DirtyGuestSpec.forRate(8 * MiB, MEM),
                MigrationPolicy.builder().pauseBeforeSwitchover(true).build());
        Recorder rec = new Recorder();
        rec.holdSwitchover = true;
        MigrationRun run = m.start(rec);
        waitFor("pre-switchover", Duration.ofMinutes(1), () -> MigrationStatus.PRE_SWITCHOVER.equals(run.sourceStatus()));
        Thread.sleep(300);
        assertEquals("pre-switchover", m.sourceEndpoint().qmp().execute("query-migrate").path("status").asText(),
                "held in pre-switchover");
        assertFalse(run.outcome().isDone());
        run.continueSwitchover();
        MigrationOutcome o = await(run);
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        List<String> src = rec.brief(Side.SOURCE);
        assertTrue(src.indexOf("MIGRATION pre-switchover") < src.indexOf("MIGRATION device")
                && src.indexOf("MIGRATION device") < src.indexOf("MIGRATION completed"), src.toString());
        assertTrue(rec.decided("hold-switchover") && rec.decided("continue-switchover"), rec.decisions.toString());
        assertConsistent(m, o);
    }

    @Test
    void cancelMidFlightLeavesTheSourceRunning() throws Exception {
        Recorder rec = new Recorder();
        LocalMigration m = prepare("cancel", DirtyGuestSpec.forRate(16 * MiB, MEM), MigrationPolicy.builder().maxBandwidth(8 * MiB).build());
        MigrationRun run = startAndWaitUntilActive(m, rec);
        assertTrue(run.cancel());
        MigrationOutcome o = await(run);
        assertEquals(MigrationStatus.CANCELLED, o.status(), o.toString());
        assertTrue(rec.brief(Side.SOURCE).containsAll(List.of("MIGRATION cancelling", "MIGRATION cancelled")), rec.brief(Side.SOURCE).toString());
        assertTrue(sourceRunning(m), "the source keeps running");
        assertConsistent(m, o);
    }

    @Test
    void aRetryAfterACancelRunsAgainstANewDestinationProcess() throws Exception {
        Recorder rec = new Recorder();
        LocalMigration m = prepare("retry", DirtyGuestSpec.forRate(16 * MiB, MEM), MigrationPolicy.builder().maxBandwidth(8 * MiB).build());
        MigrationRun first = startAndWaitUntilActive(m, rec);
        assertTrue(first.cancel());
        assertEquals(MigrationStatus.CANCELLED, await(first).status());
        var oldDestination = m.destination();
        waitFor("QEMU 7.2 to exit the destination of a cancelled incoming migration", Duration.ofSeconds(15),
                () -> !oldDestination.isAlive());

        // QEMU keeps parameters between migrations: the retry lifts the first attempt's cap explicitly.
        m.retryWithNewDestination(MigrationPolicy.builder().maxBandwidth(1024 * MiB).build());
        assertTrue(m.destination().isAlive() && m.destination().pid() != oldDestination.pid());
        assertEquals("destination-2", m.destination().instanceName());
        MigrationOutcome o = await(m.start(new Recorder()));
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertConsistent(m, o);
    }

    @Test
    void aDestinationKilledMidFlightFailsWithQemusTextAndTheSourceKeepsRunning() throws Exception {
        Recorder rec = new Recorder();
        LocalMigration m = prepare("killdst", DirtyGuestSpec.forRate(16 * MiB, MEM), MigrationPolicy.builder().maxBandwidth(8 * MiB).build());
        MigrationRun run = startAndWaitUntilActive(m, rec);
        m.destination().kill();
        MigrationOutcome o = await(run);
        assertEquals(MigrationStatus.FAILED, o.status(), o.toString());
        assertNotNull(o.errorDesc());
        assertFalse(o.errorDesc().startsWith("QEMU gave no error text"), o.errorDesc());
        assertTrue(o.errorDesc().contains("the source keeps running"), o.errorDesc());
        assertTrue(sourceRunning(m), "the source keeps running");
        assertConsistent(m, o);
    }

    /**
     * Why return-path is on by default: a listener that is not QEMU (here a socket that swallows
     * the stream) makes a source without return-path report completed; with it, it never does.
     */
    @Test
    void withoutReturnPathAListenerThatIsNotQemuFakesCompletion() throws Exception {
        LocalMigration m = prepare("fake", DirtyGuestSpec.idle(), MigrationPolicy.defaults());
        assertEquals("completed", migrateToASink(m, false));
        m.sourceEndpoint().qmp().execute("cont"); // the source paused for the switchover that never happened
        assertFalse(migrateToASink(m, true).equals("completed"), "with return-path the source waits for a real destination");
    }

    /** Migrates the source to a socket that reads and discards everything; returns the final or a stuck status. */
    static String migrateToASink(LocalMigration m, boolean returnPath) throws Exception {
        var qmp = m.sourceEndpoint().qmp();
        try (java.net.ServerSocket sink = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (var c = sink.accept(); var in = c.getInputStream()) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // the source hung up
                }
            });
            t.setDaemon(true);
            t.start();
            var caps = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            caps.putArray("capabilities").addObject().put("capability", "return-path").put("state", returnPath);
            qmp.execute("migrate-set-capabilities", caps);
            qmp.execute("migrate", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("uri", "tcp:127.0.0.1:" + sink.getLocalPort()));
            // An idle guest's RAM is sent in well under a second; 5 s without a verdict means stuck.
            Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
            String status = "";
            while (Instant.now().isBefore(deadline)) {
                status = qmp.execute("query-migrate").path("status").asText();
                if (status.equals("completed") || status.equals("failed")) return status;
                Thread.sleep(50);
            }
            qmp.execute("migrate_cancel");
            return status;
        }
    }

    @Test
    void aBadUriGetsAClearError() throws Exception {
        LocalMigration m = prepare("baduri", DirtyGuestSpec.idle(), MigrationPolicy.defaults());
        // Malformed: refused before QEMU sees it, naming the URI and the accepted forms.
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new MigrationRequest("x", "vm",
                m.sourceEndpoint(), m.destinationEndpoint(), "tpc:host:1234", MigrationPolicy.defaults(), "kvm"));
        assertTrue(bad.getMessage().contains("'tpc:host:1234'") && bad.getMessage().contains("tcp:HOST:PORT"), bad.getMessage());
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> MigrationUri.validate("tcp:127.0.0.1:70000"));
        assertTrue(port.getMessage().contains("70000"), port.getMessage());

        // Well-formed but unusable: QEMU's own error, naming the command, and the source keeps running.
        var req = new MigrationRequest("bad-uri", "vm-baduri", m.sourceEndpoint(), m.destinationEndpoint(),
                "unix:/nonexistent-drover-dir/migrate.sock", MigrationPolicy.defaults(), "kvm");
        Recorder rec = new Recorder();
        MigrationOutcome o = MigrationRun.start(req, rec, PhaseStore.NONE).await(OUTCOME_TIMEOUT);
        assertEquals(MigrationStatus.FAILED, o.status(), o.toString());
        assertTrue(o.errorDesc().contains("migrate-incoming") && o.errorDesc().contains("No such file or directory"), o.errorDesc());
        assertFalse(rec.phases.contains(MigrationPhase.MIGRATING), "migrate was never sent: " + rec.phases);
        assertTrue(sourceRunning(m), "the source keeps running");
    }

    @Test
    void changingDowntimeLimitAndBandwidthMidFlightLetsItConverge() throws Exception {
        LocalMigration m = prepare("retune", DirtyGuestSpec.forRate(40 * MiB, MEM),
                MigrationPolicy.builder().maxBandwidth(16 * MiB).downtimeLimitMs(50L).build());
        Recorder rec = new Recorder();
        MigrationRun run = m.start(rec);
        waitFor("pass 3", Duration.ofMinutes(1), () -> rec.passes.size() >= 3);
        assertFalse(run.outcome().isDone(), "it cannot converge at 16 MiB/s against 40 MiB/s of dirtying");
        run.setMaxBandwidth(1024 * MiB);
        run.setDowntimeLimit(2000);
        var params = m.sourceEndpoint().qmp().execute("query-migrate-parameters");
        assertEquals(1024 * MiB, params.path("max-bandwidth").asLong());
        assertEquals(2000, params.path("downtime-limit").asLong());
        MigrationOutcome o = await(run);
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertTrue(rec.decided("set-max-bandwidth") && rec.decided("set-downtime-limit"), rec.decisions.toString());
        assertConsistent(m, o);
    }

    @Test
    void xbzrleAndMultifdMigrationsComplete() throws Exception {
        LocalMigration x = prepare("xbzrle", DirtyGuestSpec.forRate(16 * MiB, MEM),
                MigrationPolicy.builder().maxBandwidth(64 * MiB).xbzrle(true).xbzrleCacheSize(32 * MiB).build());
        Recorder rec = new Recorder();
        MigrationOutcome o = await(x.start(rec));
        assertEquals(MigrationStatus.COMPLETED, o.status(), o.toString());
        assertTrue(rec.samples.stream().anyMatch(s -> s.xbzrleCache() != null), "xbzrle statistics were reported");
        assertConsistent(x, o);

        LocalMigration mf = prepare("multifd", DirtyGuestSpec.forRate(16 * MiB, MEM),
                MigrationPolicy.builder().multifd(true).multifdChannels(4).build());
        MigrationOutcome o2 = await(mf.start(new Recorder()));
        assertEquals(MigrationStatus.COMPLETED, o2.status(), o2.toString());
        assertEquals(4, mf.destinationEndpoint().qmp().execute("query-migrate-parameters").path("multifd-channels").asInt());
        assertConsistent(mf, o2);
    }
}
