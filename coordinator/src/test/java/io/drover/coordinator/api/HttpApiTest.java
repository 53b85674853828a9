package io.drover.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.coordinator.Coordinator;
import io.drover.coordinator.testing.CoordinatorFixture;
import io.drover.coordinator.testing.RecordingGateway;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The REST API against a real Coordinator on a fresh PostgreSQL database: its 4xx cases and a happy path. */
class HttpApiTest {
    static CoordinatorFixture fixture;
    static Coordinator coordinator;
    static final HttpClient http = HttpClient.newHttpClient();
    static String base;
    static final RecordingGateway gateway = new RecordingGateway();

    record Res(int status, JsonNode body) {
        String error() {
            return body.path("error").asText();
        }

        String field() {
            return body.path("field").asText(null);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        fixture = CoordinatorFixture.start("drover_api", gateway);
        coordinator = fixture.coordinator();
        base = fixture.base();
        fixture.register("kvm-1", List.of(new HostStatus.VmState("vm-42", "running", 512, 1), new HostStatus.VmState("vm-43", "running", 512, 1),
                new HostStatus.VmState("vm-44", "running", 512, 1), new HostStatus.VmState("vm-45", "running", 512, 1),
                new HostStatus.VmState("vm-46", "running", 512, 1), new HostStatus.VmState("vm-47", "running", 512, 1)));
        fixture.register("kvm-2", List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    static Res send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.toString());
        return new Res(r.statusCode(), Json.mapper().readTree(r.body()));
    }

    static Res post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    static Res get(String path) throws Exception {
        return send("GET", path, null);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        Res r = post("/api/migrations", "{\"vmId\": \"vm-42\", ");
        assertEquals(400, r.status(), r.body().toString());
        assertTrue(r.error().startsWith("malformed JSON"), r.error());
    }

    @Test
    void missingVmIdIs400NamingIt() throws Exception {
        Res r = post("/api/migrations", "{\"to\": \"kvm-2\"}");
        assertEquals(400, r.status());
        assertEquals("vmId", r.field());
        assertEquals("vmId is missing", r.error());
        Res wrongType = post("/api/migrations", "{\"vmId\": 42, \"to\": \"kvm-2\"}");
        assertEquals(400, wrongType.status());
        assertEquals("vmId must be a string, got number", wrongType.error());
    }

    @Test
    void unknownVmIs404() throws Exception {
        Res r = post("/api/migrations", "{\"vmId\": \"vm-nope\", \"to\": \"kvm-2\"}");
        assertEquals(404, r.status());
        assertEquals("vmId", r.field());
        assertTrue(r.error().contains("unknown VM vm-nope"), r.error());
    }

    @Test
    void unknownHostIs404() throws Exception {
        Res r = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-9\"}");
        assertEquals(404, r.status());
        assertEquals("to", r.field());
        assertEquals("unknown host kvm-9", r.error());
    }

    @Test
    void destinationEqualToSourceIs409() throws Exception {
        Res r = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-1\"}");
        assertEquals(409, r.status());
        assertEquals("to", r.field());
        assertTrue(r.error().contains("already runs on kvm-1"), r.error());
    }

    @Test
    void aBadPolicyIs400NamingTheSetting() throws Exception {
        Res combo = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"postcopy\": true, \"multifd\": true}}");
        assertEquals(400, combo.status());
        assertEquals("policy", combo.field());
        assertTrue(combo.error().contains("post-copy and multifd cannot be combined"), combo.error());
        Res type = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"downtimeLimitMs\": \"soon\"}}");
        assertEquals(400, type.status());
        assertEquals("policy.downtimeLimitMs", type.field());
        Res unknown = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"turbo\": true}}");
        assertEquals(400, unknown.status());
        assertEquals("policy.turbo", unknown.field());
        Res range = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"downtimeLimitMs\": -5}}");
        assertEquals(400, range.status());
        assertTrue(range.error().contains("downtime limit must be between 0 and 2000000 ms, got -5"), range.error());
        Res steps = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"downtimeSteps\": 0}}");
        assertEquals(400, steps.status());
        assertEquals("policy", steps.field());
        assertTrue(steps.error().contains("downtime steps must be at least 1, got 0"), steps.error());
        Res stall = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"stallTimeout\": \"a while\"}}");
        assertEquals(400, stall.status());
        assertEquals("policy.stallTimeout", stall.field());
        assertTrue(stall.error().contains("must be a duration"), stall.error());
        Res perGib = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"completionTimeoutPerGiB\": -1}}");
        assertEquals(400, perGib.status());
        assertTrue(perGib.error().contains("completion timeout per GiB must be positive"), perGib.error());
    }

    /** POST /api/migrations of {@code vmId} to kvm-2, which must answer 201: the new migration's id. */
    static String created(String vmId) throws Exception {
        Res r = post("/api/migrations", "{\"vmId\": \"" + vmId + "\", \"to\": \"kvm-2\"}");
        assertEquals(201, r.status(), r.body().toString());
        return r.body().get("migrationId").asText();
    }

    static void tell(String id, java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<org.apache.pekko.pattern.StatusReply<io.drover.coordinator.migration.MigrationSummary>>, io.drover.coordinator.migration.MigrationCommand> c) throws Exception {
        coordinator.migration(id).askWithStatus(c::apply, Duration.ofSeconds(20)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aCancelRefusedAfterSwitchoverIs409WithTheReason() throws Exception {
        String id = created("vm-43");
        // As the agents' results would: prepared, started, the source completed; the destination has to confirm.
        tell(id, r -> new io.drover.coordinator.migration.MigrationCommand.DestinationPrepared("tcp:127.0.0.1:49152", r));
        tell(id, io.drover.coordinator.migration.MigrationCommand.MigrationStarted::new);
        tell(id, io.drover.coordinator.migration.MigrationCommand.SourceCompleted::new);
        Res refused = post("/api/migrations/" + id + "/cancel", null);
        assertEquals(409, refused.status(), refused.body().toString());
        assertTrue(refused.error().contains("cannot be cancelled: the source completed"), refused.error());
        assertEquals("CONFIRMING", get("/api/migrations/" + id).body().get("phase").asText());
    }

    @Test
    void aLongPollAnswersWhenTheMigrationEndsOrTheWaitIsOver() throws Exception {
        String id = created("vm-44");
        for (String bad : List.of("soon", "-1s", "61s", "PT2M")) {
            Res r = get("/api/migrations/" + id + "?wait=" + bad);
            assertEquals(400, r.status(), bad + ": " + r.body());
            assertEquals("wait", r.field());
        }
        Res unknownParam = get("/api/migrations/" + id + "?phase=COMPLETED");
        assertEquals(400, unknownParam.status());
        assertEquals("phase", unknownParam.field());
        // Not ending: answered with its phase once the wait is over.
        long t0 = System.nanoTime();
        Res waited = get("/api/migrations/" + id + "?wait=300ms");
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, waited.status());
        assertEquals("PREPARING", waited.body().get("phase").asText());
        assertTrue(waitedMs >= 300, "answered after " + waitedMs + " ms, before the wait was over");
        // Ending while a long poll waits: that poll answers with the end, long before its wait is over.
        java.util.concurrent.CompletableFuture<Res> poll = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return get("/api/migrations/" + id + "?wait=60s");
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(poll.isDone(), "the long poll answered before the migration ended");
        long told = System.nanoTime();
        tell(id, r -> new io.drover.coordinator.migration.MigrationCommand.DestinationPrepareFailed("no port free", r));
        Res ended = poll.get(30, TimeUnit.SECONDS);
        long afterMs = (System.nanoTime() - told) / 1_000_000;
        // Woken by the entity's notice (MigrationEnded): the safety poll would have answered ~1.8 s after the end.
        assertTrue(afterMs < CoordinatorApi.WAIT_SAFETY_POLL.toMillis() / 2, "answered " + afterMs + " ms after the end");
        assertEquals(200, ended.status(), ended.body().toString());
        assertEquals("FAILED", ended.body().get("phase").asText());
    }

    @Test
    void unknownMigrationAndItsCancelAre404() throws Exception {
        assertEquals(404, get("/api/migrations/m-nope").status());
        assertEquals(404, get("/api/migrations/m-nope/events").status());
        Res cancel = post("/api/migrations/m-nope/cancel", null);
        assertEquals(404, cancel.status());
        assertEquals("unknown migration m-nope", cancel.error());
    }

    @Test
    void unknownEndpointWrongMethodAndBadAuditParametersAre4xx() throws Exception {
        assertEquals(404, get("/api/nothing").status());
        assertEquals(405, send("DELETE", "/api/hosts", null).status());
        Res since = get("/api/audit?since=yesterday");
        assertEquals(400, since.status());
        assertEquals("since", since.field());
        Res limit = get("/api/audit?limit=0");
        assertEquals(400, limit.status());
        assertEquals("limit", limit.field());
        assertEquals(200, get("/api/audit?vm=vm-42").status());
    }

    @Test
    void aMigrationTheReadModelListsKeepsAnotherApiFromStartingASecondOne() throws Exception {
        String id = created("vm-45");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!get("/api/migrations?vm=vm-45").body().findValuesAsText("migrationId").contains(id)) {
            assertTrue(System.nanoTime() < deadline, "the read model never listed " + id);
            Thread.sleep(50);
        }
        // A second API (as on another coordinator node) did not create it, so only the read model tells it.
        HttpApi other = coordinator.startApi("127.0.0.1", 0);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + "/api/migrations"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vmId\": \"vm-45\", \"to\": \"kvm-2\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(409, r.statusCode(), r.body());
            assertTrue(Json.mapper().readTree(r.body()).path("error").asText().contains("already migrating (" + id), r.body());
        } finally {
            other.close();
        }
    }

    @Test
    void aMigrationThatEndedIsNotWokenByTheNextRequestForItsVm() throws Exception {
        String id = created("vm-47");
        tell(id, r -> new io.drover.coordinator.migration.MigrationCommand.DestinationPrepareFailed("no port free", r));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!get("/api/migrations?vm=vm-47&phase=FAILED").body().findValuesAsText("migrationId").contains(id)) {
            assertTrue(System.nanoTime() < deadline, "the read model never listed " + id + " as failed");
            Thread.sleep(50);
        }
        // An ended migration leaves memory at its next tick; woken again, it would send its clean-up once more.
        Thread.sleep(3 * io.drover.coordinator.migration.MigrationEntity.TICK_INTERVAL.toMillis());
        java.util.function.Supplier<Long> cleanUps = () -> gateway.sent().stream()
                .filter(s -> s.command().commandId().startsWith("migration/" + id + "/")).count();
        long before = cleanUps.get();
        created("vm-47");
        Thread.sleep(500); // a recovery of the old entity would have sent by now
        assertEquals(before, cleanUps.get(), "the request woke the ended migration " + id + ": " + gateway.sent());
    }

    @Test
    void twoRequestsAtOnceForOneVmStartOneMigration() throws Exception {
        String body = "{\"vmId\": \"vm-46\", \"to\": \"kvm-2\"}";
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> both = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            both.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/migrations"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var f : both) {
            statuses.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
        }
        statuses.sort(null);
        assertEquals(List.of(201, 409), statuses, both.get(0).get().body() + " / " + both.get(1).get().body());
    }

    @Test
    void hostsVmsAndAMigrationCreatedReadBackAndCancelled() throws Exception {
        JsonNode hosts = get("/api/hosts").body();
        assertEquals(List.of("kvm-1", "kvm-2"), hosts.findValuesAsText("hostId"));
        assertTrue(hosts.get(0).get("up").asBoolean());
        assertEquals("7.2.22", hosts.get(0).get("qemuVersion").asText());
        JsonNode vms = get("/api/vms").body();
        assertEquals(6, vms.size());
        assertEquals("kvm-1", vms.get(0).get("hostId").asText());

        Res created = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\", \"policy\": {\"downtimeLimitMs\": 500, \"autoConverge\": true,"
                + " \"downtimeSteps\": 4, \"completionTimeoutPerGiB\": 90, \"stallTimeout\": \"PT45S\"}}");
        assertEquals(201, created.status(), created.body().toString());
        String id = created.body().get("migrationId").asText();
        assertEquals("kvm-1", created.body().get("sourceHost").asText());
        assertEquals("PREPARING", created.body().get("phase").asText());

        Res again = post("/api/migrations", "{\"vmId\": \"vm-42\", \"to\": \"kvm-2\"}");
        assertEquals(409, again.status());
        assertTrue(again.error().contains("already migrating (" + id), again.error());

        assertEquals("vm-42", get("/api/migrations/" + id).body().get("vmId").asText());
        JsonNode events = get("/api/migrations/" + id + "/events").body();
        assertEquals("MigrationRequested", events.get(0).get("type").asText());
        assertTrue(events.get(0).has("time"));
        JsonNode ladder = events.get(0).findValue("policy");
        assertEquals(4, ladder.get("downtimeSteps").asInt(), ladder.toString());
        assertEquals(Duration.ofSeconds(90), Duration.parse(ladder.get("completionTimeoutPerGiB").asText()), ladder.toString());
        assertEquals(Duration.ofSeconds(45), Duration.parse(ladder.get("stallTimeout").asText()), ladder.toString());
        assertEquals(500, ladder.get("migration").get("downtimeLimitMs").asInt(), ladder.toString());
        // The list is the read model, which the projection fills a poll or two after the journal.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> listed = get("/api/migrations").body().findValuesAsText("migrationId");
        while (!listed.contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            listed = get("/api/migrations").body().findValuesAsText("migrationId");
        }
        assertTrue(listed.contains(id), listed + " lists " + id);

        Res cancelled = post("/api/migrations/" + id + "/cancel", "{\"reason\": \"operator changed their mind\"}");
        assertEquals(200, cancelled.status(), cancelled.body().toString());
        JsonNode after = get("/api/migrations/" + id + "/events").body();
        assertTrue(after.toString().contains("operator changed their mind"), after.toString());
    }

    @Test
    void aVmRequestIsCheckedThenSentAsDefineAndStart() throws Exception {
        Res missing = post("/api/vms", "{\"host\": \"kvm-2\"}");
        assertEquals(400, missing.status(), missing.body().toString());
        assertEquals("vmId", missing.field());
        Res badId = post("/api/vms", "{\"vmId\": \"../etc\", \"host\": \"kvm-2\"}");
        assertEquals(400, badId.status());
        assertEquals("vmId", badId.field());
        Res badMemory = post("/api/vms", "{\"vmId\": \"vm-new\", \"host\": \"kvm-2\", \"memoryMiB\": \"lots\"}");
        assertEquals(400, badMemory.status());
        assertEquals("memoryMiB", badMemory.field());
        Res badRate = post("/api/vms", "{\"vmId\": \"vm-new\", \"host\": \"kvm-2\", \"dirtyRate\": -5}");
        assertEquals(400, badRate.status());
        assertEquals("dirtyRate", badRate.field());
        Res unknownField = post("/api/vms", "{\"vmId\": \"vm-new\", \"host\": \"kvm-2\", \"disk\": 1}");
        assertEquals(400, unknownField.status());
        assertEquals("disk", unknownField.field());
        Res unknownHost = post("/api/vms", "{\"vmId\": \"vm-new\", \"host\": \"kvm-9\"}");
        assertEquals(404, unknownHost.status());
        assertEquals("host", unknownHost.field());
        Res exists = post("/api/vms", "{\"vmId\": \"vm-43\", \"host\": \"kvm-2\"}");
        assertEquals(409, exists.status());
        assertEquals("vmId", exists.field());
        assertTrue(gateway.sent().stream().noneMatch(s -> s.command().vmId().equals("vm-new")));

        Res ok = post("/api/vms", "{\"vmId\": \"vm-new\", \"host\": \"kvm-2\", \"memoryMiB\": 128, \"dirtyRate\": 8388608}");
        assertEquals(202, ok.status(), ok.body().toString());
        List<io.drover.events.AgentCommand> sent = gateway.sent().stream().map(RecordingGateway.Sent::command)
                .filter(c -> c.vmId().equals("vm-new")).toList();
        assertEquals(2, sent.size(), sent.toString());
        io.drover.events.AgentCommand.DefineVm define = assertInstanceOf(io.drover.events.AgentCommand.DefineVm.class, sent.get(0));
        assertEquals("vm/kvm-2/vm-new/define", define.commandId());
        assertEquals("kvm-2", define.hostId());
        assertEquals(128, define.memoryMiB());
        assertEquals(1, define.vcpus());
        assertEquals(8388608, define.dirtyRate());
        assertEquals("vm/kvm-2/vm-new/start", assertInstanceOf(io.drover.events.AgentCommand.StartVm.class, sent.get(1)).commandId());
    }
}
