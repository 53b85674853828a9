package io.drover.coordinator.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.coordinator.Coordinator;
import io.drover.coordinator.api.HttpApi;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationEntity;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.coordinator.testing.RecordingGateway;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import io.drover.events.MigrationPolicy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The read model on the real local PostgreSQL, each test on a fresh database: migrations created and driven
 * through the API and the entities end up in migration_summary (through the tag, the read journal and the
 * projection, with its offset stored), GET /api/migrations lists and filters them, and a restarted
 * coordinator goes on from the stored offset. The projection is asynchronous: every check of its output
 * polls until a deadline.
 */
class MigrationSummaryProjectionTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final Duration ASK = Duration.ofSeconds(20);
    static final Duration PROJECTED_WITHIN = Duration.ofSeconds(30);
    static final HttpClient http = HttpClient.newHttpClient();

    record Res(int status, JsonNode body) {
    }

    @Test
    void migrationsAreProjectedWithTheirOffsetAndTheListFiltersThem() throws Exception {
        try (Fixture f = new Fixture()) {
            Coordinator coordinator = f.start();
            HttpApi api = coordinator.startApi("127.0.0.1", 0);
            try {
                String base = "http://127.0.0.1:" + api.port();
                register(coordinator, "kvm-1", List.of("vm-1", "vm-2", "vm-3"));
                register(coordinator, "kvm-2", List.of());

                // m1: to the end, with the commands the agents' results become.
                String m1 = create(base, "vm-1", "{\"downtimeLimitMs\": 500, \"autoConverge\": true}");
                tell(coordinator, m1, r -> new MigrationCommand.DestinationPrepared("tcp:127.0.0.1:49152", r));
                tell(coordinator, m1, MigrationCommand.MigrationStarted::new);
                tell(coordinator, m1, MigrationCommand.SourceCompleted::new);
                tell(coordinator, m1, MigrationCommand.DestinationConfirmed::new);
                // m2: cancelled through the API before migrate was issued, and the armed source stood down.
                String m2 = create(base, "vm-2", null);
                Res cancelled = send(base, "POST", "/api/migrations/" + m2 + "/cancel", "{\"reason\": \"operator changed their mind\"}");
                assertEquals(200, cancelled.status(), cancelled.body().toString());
                tell(coordinator, m2, r -> new MigrationCommand.SourceFailed("cancelled before the destination listened", r));
                // m3: cancelled while migrating, so still cancelling (the source has not reported the end).
                String m3 = create(base, "vm-3", null);
                tell(coordinator, m3, r -> new MigrationCommand.DestinationPrepared("tcp:127.0.0.1:49153", r));
                tell(coordinator, m3, MigrationCommand.MigrationStarted::new);
                tell(coordinator, m3, r -> new MigrationCommand.Cancel("drain aborted", r));

                Map<String, Map<String, String>> rows = awaitRows(f.db, m -> m.size() == 3
                        && "COMPLETED".equals(m.get(m1).get("phase")) && "CANCELLED".equals(m.get(m2).get("phase"))
                        && "CANCELLING".equals(m.get(m3).get("phase")));
                assertRow(rows.get(m1), "vm-1", "COMPLETED", null);
                assertEquals("tcp:127.0.0.1:49152", rows.get(m1).get("uri"));
                assertEquals("50", rows.get(m1).get("downtime_limit_ms"), "the first step of the ladder up to 500 ms");
                assertEquals("t", rows.get(m1).get("auto_converge_on"));
                assertRow(rows.get(m2), "vm-2", "CANCELLED", "cancelled by request: operator changed their mind");
                assertRow(rows.get(m3), "vm-3", "CANCELLING", "cancelled by request: drain aborted");
                for (String id : List.of(m1, m2, m3)) {
                    assertEquals(String.valueOf(f.db.count("SELECT max(sequence_number) FROM event_journal WHERE persistence_id = 'Migration|" + id + "'")),
                            rows.get(id).get("last_sequence_nr"), id + " has seen its last event");
                }

                // Every migration event was tagged (pekko-persistence-jdbc 1.1 into V3's event_tag); no host event was.
                assertEquals(f.db.count("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Migration|%'"),
                        f.db.count("SELECT count(*) FROM event_tag WHERE tag = '" + MigrationEntity.TAG + "'"));
                assertEquals(0, f.db.count("SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id"
                        + " WHERE j.persistence_id NOT LIKE 'Migration|%'"));
                // The offset is the ordering of the last migration event, stored as a sequence offset.
                long lastOrdering = f.db.count("SELECT max(ordering) FROM event_journal WHERE persistence_id LIKE 'Migration|%'");
                assertEquals(lastOrdering, awaitOffset(f.db, lastOrdering));
                assertEquals(1, f.db.count("SELECT count(*) FROM pekko_projection_offset_store WHERE projection_name = '"
                        + MigrationSummaryProjection.NAME + "' AND projection_key = '" + MigrationEntity.TAG + "' AND manifest = 'SEQ'"));

                // Each event but the samples became one decision record, in journal order, at the event's own time.
                List<io.drover.events.DroverRecord<io.drover.events.CoordinatorDecision>> d1 = decisionsOf(f, m1);
                assertEquals(List.of("MigrationRequested", "DestinationPrepared", "MigrateIssued", "SourceStarted", "SwitchoverCompleted",
                        "MigrationCompleted"), d1.stream().map(r -> r.data().event()).toList());
                for (var r : d1) {
                    assertEquals(io.drover.events.RecordTypes.COORDINATOR_DECISION, r.type());
                    assertEquals("vm-1", r.subject());
                    assertEquals("kvm-1", r.data().sourceHost());
                    assertEquals("kvm-2", r.data().destinationHost());
                    assertEquals(r.data().recordId(), r.id());
                }
                assertEquals(f.db.count("SELECT max(sequence_number) FROM event_journal WHERE persistence_id = 'Migration|" + m1 + "'"),
                        d1.get(d1.size() - 1).data().sequenceNr());
                assertEquals("COMPLETED", d1.get(d1.size() - 1).data().newPhase());
                assertEquals("tcp:127.0.0.1:49152", d1.get(1).data().details().path("newUri").asText(), d1.get(1).toString());
                var cancelled2 = decisionsOf(f, m2).stream().filter(r -> r.data().event().equals("CancellationRequested")).findFirst().orElseThrow();
                assertEquals("cancelled by request: operator changed their mind", cancelled2.data().reason());
                assertEquals(f.gateway.decisions().size(), f.gateway.decisions().stream().map(r -> r.id()).distinct().count(),
                        "each decision published once: " + f.gateway.decisions());

                // The list: oldest request first, and each item what GET /api/migrations/{id} says (less the sample).
                JsonNode all = send(base, "GET", "/api/migrations", null).body();
                assertEquals(List.of(m1, m2, m3), all.findValuesAsText("migrationId"));
                for (JsonNode item : all) {
                    ObjectNode one = (ObjectNode) send(base, "GET", "/api/migrations/" + item.get("migrationId").asText(), null).body();
                    one.remove("progress");
                    assertEquals(one, item);
                }
                assertEquals(List.of(m1), ids(send(base, "GET", "/api/migrations?phase=COMPLETED", null)));
                assertEquals(List.of(m2), ids(send(base, "GET", "/api/migrations?phase=cancelled", null)));
                assertEquals(List.of(m3), ids(send(base, "GET", "/api/migrations?vm=vm-3", null)));
                assertEquals(List.of(m2), ids(send(base, "GET", "/api/migrations?vm=vm-2&phase=CANCELLED", null)));
                assertEquals(List.of(), ids(send(base, "GET", "/api/migrations?vm=vm-2&phase=COMPLETED", null)));
                assertEquals(List.of(), ids(send(base, "GET", "/api/migrations?vm=vm-nope", null)));

                Res badPhase = send(base, "GET", "/api/migrations?phase=DONE", null);
                assertEquals(400, badPhase.status(), badPhase.body().toString());
                assertEquals("phase", badPhase.body().path("field").asText());
                assertEquals("phase must be one of NEW, PREPARING, PREPARED, MIGRATING, POSTCOPY, CANCELLING, CONFIRMING,"
                        + " RESUMING_SOURCE, COMPLETED, FAILED, CANCELLED, got 'DONE'", badPhase.body().path("error").asText());
                Res badParameter = send(base, "GET", "/api/migrations?host=kvm-1", null);
                assertEquals(400, badParameter.status(), badParameter.body().toString());
                assertEquals("host", badParameter.body().path("field").asText());
            } finally {
                api.close();
                coordinator.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aRestartedCoordinatorGoesOnFromTheStoredOffset() throws Exception {
        try (Fixture f = new Fixture()) {
            CoordinatorPolicy policy = CoordinatorPolicy.of(MigrationPolicy.builder().build());
            String first = "m-" + UUID.randomUUID().toString().substring(0, 8);
            Coordinator one = f.start();
            try {
                tell(one, first, r -> new MigrationCommand.Create("vm-1", "kvm-1", "kvm-2", 512, 1, policy, r));
                tell(one, first, r -> new MigrationCommand.Cancel("not needed", r));
                tell(one, first, r -> new MigrationCommand.SourceFailed("cancelled before the destination listened", r));
                awaitRows(f.db, m -> m.containsKey(first) && "CANCELLED".equals(m.get(first).get("phase")));
                awaitOffset(f.db, f.db.count("SELECT max(ordering) FROM event_journal WHERE persistence_id LIKE 'Migration|%'"));
            } finally {
                one.stop(Duration.ofSeconds(30));
            }
            String updatedBefore = f.rows().get(first).get("updated_at");

            String second = "m-" + UUID.randomUUID().toString().substring(0, 8);
            Coordinator two = f.start();
            try {
                tell(two, second, r -> new MigrationCommand.Create("vm-2", "kvm-1", "kvm-2", 512, 1, policy, r));
                Map<String, Map<String, String>> rows = awaitRows(f.db, m -> m.containsKey(second));
                assertEquals(2, rows.size());
                assertRow(rows.get(second), "vm-2", "PREPARING", null);
                assertEquals(updatedBefore, rows.get(first).get("updated_at"), "the first migration's events were not applied again");
                long last = f.db.count("SELECT max(ordering) FROM event_journal WHERE persistence_id LIKE 'Migration|%'");
                assertEquals(last, awaitOffset(f.db, last));
                assertEquals(1, f.db.count("SELECT count(*) FROM pekko_projection_offset_store"));
            } finally {
                two.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aDecisionKafkaRefusesHoldsItsEventBackUntilItIsTaken() throws Exception {
        try (Fixture f = new Fixture()) {
            CoordinatorPolicy policy = CoordinatorPolicy.of(MigrationPolicy.builder().build());
            String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
            f.gateway.refuseDecisions(3);
            Coordinator one = f.start();
            try {
                tell(one, id, r -> new MigrationCommand.Create("vm-1", "kvm-1", "kvm-2", 512, 1, policy, r));
                tell(one, id, r -> new MigrationCommand.DestinationPrepareFailed("no port free", r));
                // Refused three times, then taken: the row and the offset waited for it, and no event was skipped.
                Map<String, Map<String, String>> rows = awaitRows(f.db, m -> m.containsKey(id) && "FAILED".equals(m.get(id).get("phase")));
                assertRow(rows.get(id), "vm-1", "FAILED", rows.get(id).get("reason"));
                assertEquals(List.of("MigrationRequested", "MigrationFailed"), decisionsOf(f, id).stream().map(r -> r.data().event()).toList());
                assertEquals(List.of(1L, 2L), decisionsOf(f, id).stream().map(r -> r.data().sequenceNr()).toList());
                assertTrue(decisionsOf(f, id).get(1).data().reason().contains("no port free"), decisionsOf(f, id).toString());
            } finally {
                one.stop(Duration.ofSeconds(30));
            }
        }
    }

    static List<io.drover.events.DroverRecord<io.drover.events.CoordinatorDecision>> decisionsOf(Fixture f, String migrationId) {
        return f.gateway.decisions().stream().filter(r -> r.data().migrationId().equals(migrationId)).toList();
    }

    // ---- helpers

    /** A fresh database; coordinators on it, on free ports, quiet. */
    static final class Fixture implements AutoCloseable {
        final Db db = new Db("drover_readmodel_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        final RecordingGateway gateway = new RecordingGateway();

        Fixture() throws SQLException {
            admin("CREATE DATABASE " + db.name);
        }

        Coordinator start() {
            return Coordinator.start(Coordinator.config(Map.of(
                    "drover.db.url", SERVER + db.name, "drover.db.user", "postgres", "drover.db.password", "",
                    "pekko.remote.artery.canonical.port", 0, "pekko.loglevel", "WARNING",
                    "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on",
                    // A refused decision is retried after the back-off: short here, so that the test does not wait.
                    "pekko.projection.restart-backoff.min-backoff", "200ms", "pekko.projection.restart-backoff.max-backoff", "1s")), gateway);
        }

        Map<String, Map<String, String>> rows() throws Exception {
            return db.rows();
        }

        @Override
        public void close() throws SQLException {
            admin("DROP DATABASE IF EXISTS " + db.name + " WITH (FORCE)");
        }

        private static void admin(String sql) throws SQLException {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }
    }

    record Db(String name) {
        long count(String sql) throws Exception {
            try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** migration_summary, each row's columns as text, by migration id. */
        Map<String, Map<String, String>> rows() throws Exception {
            Map<String, Map<String, String>> out = new LinkedHashMap<>();
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM migration_summary ORDER BY requested_at")) {
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getString(i));
                    }
                    out.put(row.get("migration_id"), row);
                }
            }
            return out;
        }

        private Connection connect() throws Exception {
            return DriverManager.getConnection(SERVER + name, "postgres", "");
        }
    }

    static Map<String, Map<String, String>> awaitRows(Db db, Predicate<Map<String, Map<String, String>>> done) throws Exception {
        return await("migration_summary", db::rows, done);
    }

    /** Waits for the projection's stored offset to reach {@code ordering}; returns the offset. */
    static long awaitOffset(Db db, long ordering) throws Exception {
        return await("the stored offset", () -> db.count("SELECT coalesce(max(current_offset::bigint), -1) FROM pekko_projection_offset_store"
                + " WHERE projection_name = '" + MigrationSummaryProjection.NAME + "'"), o -> o >= ordering);
    }

    /** Polls {@code read} until {@code done} holds, failing with the last value read at the deadline. */
    static <T> T await(String what, Callable<T> read, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + PROJECTED_WITHIN.toNanos();
        T last = read.call();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not get there within " + PROJECTED_WITHIN + "; last read: " + last);
            }
            Thread.sleep(50);
            last = read.call();
        }
        return last;
    }

    static void assertRow(Map<String, String> row, String vm, String phase, String reason) {
        assertEquals(vm, row.get("vm_id"), row.toString());
        assertEquals("kvm-1", row.get("source_host"), row.toString());
        assertEquals("kvm-2", row.get("destination_host"), row.toString());
        assertEquals(phase, row.get("phase"), row.toString());
        assertEquals(reason, row.get("reason"), row.toString());
        assertNotNull(row.get("requested_at"), row.toString());
    }

    static void register(Coordinator coordinator, String host, List<String> vms) throws Exception {
        List<HostStatus.VmState> states = new ArrayList<>();
        vms.forEach(v -> states.add(new HostStatus.VmState(v, "running", 512, 1)));
        HostStatus st = new HostStatus(host, "7.2.22", "7.2", "kvm", 8192, 4, states, 0, Instant.now());
        coordinator.host(host).<HostSummary>askWithStatus(r -> new HostCommand.Register(st, r), ASK)
                .toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    static void tell(Coordinator coordinator, String id,
                     Function<ActorRef<StatusReply<MigrationSummary>>, MigrationCommand> command) throws Exception {
        coordinator.migration(id).<MigrationSummary>askWithStatus(command::apply, ASK).toCompletableFuture()
                .get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    static String create(String base, String vm, String policy) throws Exception {
        Res r = send(base, "POST", "/api/migrations", "{\"vmId\": \"" + vm + "\", \"to\": \"kvm-2\""
                + (policy == null ? "" : ", \"policy\": " + policy) + "}");
        assertEquals(201, r.status(), r.body().toString());
        return r.body().get("migrationId").asText();
    }

    static List<String> ids(Res r) {
        assertEquals(200, r.status(), r.body().toString());
        return r.body().findValuesAsText("migrationId");
    }

    static Res send(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(ASK);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Res(r.statusCode(), Json.mapper().readTree(r.body()));
    }
}
