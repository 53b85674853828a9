package io.drover.coordinator;

import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.host.Liveness;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationEntity;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.coordinator.migration.Phase;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.coordinator.testing.RecordingGateway;
import io.drover.events.AgentCommand;
import io.drover.events.HostStatus;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationStats;
import io.drover.events.MigrationStatus;
import com.typesafe.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real thing on the real local PostgreSQL, in a database of this class's own: Flyway, then
 * pekko-persistence-jdbc under Cluster Sharding; a second ActorSystem on the same database recovers what
 * the first one persisted, and re-sends the pending step under the same command id.
 */
class CoordinatorPostgresTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final Duration ASK = Duration.ofSeconds(20);
    static String db;

    @BeforeAll
    static void createDatabase() throws Exception {
        db = "drover_coord_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    static Config config() {
        return configFor(db);
    }

    /** A coordinator on database {@code db} of the local server, on a free port, quiet. */
    static Config configFor(String db) {
        return Coordinator.config(Map.of(
                "drover.db.url", SERVER + db,
                "drover.db.user", "postgres",
                "drover.db.password", "",
                "pekko.remote.artery.canonical.port", 0,
                "pekko.loglevel", "WARNING",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on"));
    }

    static <T> T get(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aMigrationPersistedThroughShardingRecoversInANewActorSystem() throws Exception {
        String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
        CoordinatorPolicy policy = CoordinatorPolicy.of(MigrationPolicy.builder().downtimeLimitMs(400L).build()).withDowntimeSteps(4);
        RecordingGateway first = new RecordingGateway();
        Instant agentStarted = Instant.parse("2026-11-21T19:00:00Z");
        HostStatus reg = new HostStatus("kvm-1", "7.2.22", "7.2", "kvm", 16384, 8,
                List.of(new HostStatus.VmState("vm-42", "running", 1024, 2)), 0, agentStarted);

        Coordinator one = Coordinator.start(config(), first);
        try {
            var m = one.migration(id);
            assertEquals(Phase.PREPARING, get(m.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.Create("vm-42", "kvm-1", "kvm-2", 1024, 2, policy, r), ASK)).phase());
            assertEquals(Phase.MIGRATING, get(m.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.DestinationPrepared("tcp:10.0.0.2:49152", r), ASK)).phase());
            get(m.<MigrationSummary>askWithStatus(MigrationCommand.MigrationStarted::new, ASK));
            MigrationStats ram = new MigrationStats(1L, 300_000_000L, 1L << 30, null, null, null, null, 1000L, 800.0,
                    2L, null, 4096L, null, null, null, null, null, null, null);
            MigrationInfo info = new MigrationInfo(MigrationStatus.ACTIVE, ram, null, null, null, 100L, 900L, null, null,
                    null, null, null, null, null, null, null, null, null, null);
            MigrationSummary after = get(m.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.Progress(info, Instant.now(), r), ASK));
            assertEquals(200, after.downtimeLimitMs(), "the ladder raised the limit one step");
            assertEquals(Liveness.UP, get(one.host("kvm-1").<HostSummary>askWithStatus(
                    r -> new HostCommand.Register(reg, r), ASK)).liveness());
            var ended = one.migration(id + "-ended");
            get(ended.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.Create("vm-7", "kvm-1", "kvm-2", 512, 1, policy, r), ASK));
            assertEquals(Phase.CANCELLING, get(ended.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.Cancel("not needed", r), ASK)).phase());
            assertEquals(Phase.CANCELLED, get(ended.<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.SourceFailed("cancelled before the destination listened", r), ASK)).phase(),
                    "cancelled once the armed source stood down");
        } finally {
            one.stop(Duration.ofSeconds(30));
        }
        List<AgentCommand> sentFirst = first.take().stream().filter(c -> c.vmId().equals("vm-42")).toList();
        assertEquals(List.of(AgentCommand.PrepareIncoming.class, AgentCommand.StartMigration.class, AgentCommand.TuneMigration.class),
                sentFirst.stream().map(Object::getClass).toList(), "the source reported started: no destination-ready of the coordinator's");
        assertEquals(6, journalRows("Migration|" + id), "requested, prepared, issued, started, progress, decision");
        Coordinator.Persisted persisted = Coordinator.persisted(SERVER + db, "postgres", "");
        assertEquals(List.of(id), persisted.unfinishedMigrations(), "the cancelled one is tagged as ended");
        assertEquals(List.of("kvm-1"), persisted.hosts());

        RecordingGateway second = new RecordingGateway();
        Coordinator two = Coordinator.start(config(), second);
        try {
            // woken by the start-up alone: the pending step is re-sent before anyone asks
            long deadline = System.nanoTime() + ASK.toNanos();
            while (second.sent().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(4, second.sent().size(), () -> "woken by the start-up, before any Get: " + second.sent());
            MigrationSummary s = get(two.migration(id).<MigrationSummary>askWithStatus(MigrationCommand.Get::new, ASK));
            assertEquals(Phase.MIGRATING, s.phase());
            assertEquals("tcp:10.0.0.2:49152", s.uri());
            assertEquals(2, s.pass());
            assertEquals(200, s.downtimeLimitMs());
            List<AgentCommand> resent = second.take();
            assertEquals(sentFirst.get(1), resent.get(0), "the arming re-sent under its first id");
            assertEquals(MigrationEntity.commandId(id, "start-migration"), resent.get(0).commandId());
            assertEquals(MigrationEntity.commandId(id, "destination-ready"), resent.get(1).commandId(), "destination-ready, in case");
            assertEquals(sentFirst.get(2), resent.get(2), "tune-1 re-sent as it was");
            assertInstanceOf(AgentCommand.QueryMigration.class, resent.get(3));
            assertEquals(4, resent.size(), () -> "nothing for the ended migration: " + resent);

            HostSummary h = get(two.host("kvm-1").<HostSummary>askWithStatus(HostCommand.Get::new, ASK));
            assertEquals(Liveness.UP, h.liveness());
            assertEquals(reg, h.registration());
        } finally {
            two.stop(Duration.ofSeconds(30));
        }
    }

    static int journalRows(String persistenceId) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM event_journal WHERE persistence_id = '" + persistenceId + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
