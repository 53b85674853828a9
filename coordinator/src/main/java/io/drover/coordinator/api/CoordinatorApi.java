package io.drover.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.coordinator.Coordinator;
import io.drover.coordinator.audit.AuditFilter;
import io.drover.coordinator.audit.AuditQuery;
import io.drover.coordinator.audit.JdbcSettings;
import io.drover.coordinator.audit.PooledConnections;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.host.Liveness;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationEnded;
import io.drover.coordinator.migration.MigrationDetail;
import io.drover.coordinator.migration.MigrationEvent;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.coordinator.migration.Phase;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.coordinator.readmodel.MigrationSummaryQuery;
import io.drover.events.AgentCommand;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the REST API does, apart from HTTP: reads the host registry, the journal and the read model, asks the
 * entities.
 * Every method answers JSON or fails with an {@link ApiException} (4xx) for a request that cannot be served.
 */
public final class CoordinatorApi implements AutoCloseable {
    static final Duration ASK = Duration.ofSeconds(10);

    private final Coordinator coordinator;
    /** The API's reads: pooled, a new PostgreSQL connection costs ~15 ms (see {@link PooledConnections}). */
    private final PooledConnections db;
    private final JdbcReadJournal journal;
    private final MigrationSummaryQuery summaries;
    private final ExecutorService blocking = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "drover-api-jdbc");
        t.setDaemon(true);
        return t;
    });

    /**
     * How many new migration ids the API holds ready, their entities already recovered (empty) and kept in memory
     * ({@link MigrationCommand.KeepWarm}). A new entity's recovery (a snapshot query, a replay and a highest
     * sequence number query, one after the other) took 13 to 20 ms under a migration's load, longer than the
     * request's checks it overlaps: a POST that takes a spare id starts its migration that much sooner. Two cover
     * requests that come in pairs; a burst beyond them gets fresh ids, as before.
     */
    static final int SPARE_IDS = 2;
    /** How long a spare's entity stays in memory unused. A spare costs an empty entity's recovery per lifetime. */
    static final Duration SPARE_LIFETIME = Duration.ofSeconds(60);
    /**
     * A spare is handed out only while this much of its lifetime is left, so that its entity cannot leave memory
     * under the request that took it, also on a node whose clock is a few seconds off this one's.
     */
    static final Duration SPARE_MARGIN = Duration.ofSeconds(15);

    private record Spare(String id, long warmUntilMillis) {
    }

    /**
     * How long this API remembers the migrations it created, for its "already migrating" check: the read model
     * (migration_summary) lists a new migration a poll or two after its first event, later under load; a minute
     * leaves room. A migration created through another coordinator node is found in the read model alone.
     */
    static final Duration RECENT = Duration.ofMinutes(1);

    private record Created(String vmId, long atNanos) {
    }

    /** The migrations this API created within {@link #RECENT}, by id. */
    private final ConcurrentHashMap<String, Created> recent = new ConcurrentHashMap<>();
    /** VMs whose migration request this API is checking or creating right now: a second request meanwhile gets a 409. */
    private final Set<String> requesting = ConcurrentHashMap.newKeySet();

    private final java.util.concurrent.ConcurrentLinkedQueue<Spare> spares = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final org.apache.pekko.actor.Cancellable spareRefresh;

    public CoordinatorApi(Coordinator coordinator, JdbcSettings db) {
        this.coordinator = coordinator;
        this.db = new PooledConnections(db, "drover-api");
        this.summaries = new MigrationSummaryQuery(this.db);
        this.journal = PersistenceQuery.get(coordinator.system())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        ActorRef<MigrationEnded> listener = coordinator.system().systemActorOf(endListener(),
                "api-migration-ended-" + UUID.randomUUID(), Props.empty());
        coordinator.migrationEnded().tell(Topic.subscribe(listener));
        Duration refresh = SPARE_LIFETIME.minus(SPARE_MARGIN).dividedBy(3);
        this.spareRefresh = coordinator.system().scheduler().scheduleWithFixedDelay(Duration.ZERO, refresh,
                this::refreshSpares, coordinator.system().executionContext());
    }

    private static String freshMigrationId() {
        return "m-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A spare id if one is ready (and another is readied in its place), else a fresh one. */
    private String newMigrationId() {
        for (Spare s; (s = spares.poll()) != null; ) {
            addSpare();
            if (s.warmUntilMillis() - SPARE_MARGIN.toMillis() > System.currentTimeMillis()) {
                return s.id();
            }
        }
        return freshMigrationId();
    }

    private void addSpare() {
        String id = freshMigrationId();
        long until = System.currentTimeMillis() + SPARE_LIFETIME.toMillis();
        coordinator.migration(id).tell(new MigrationCommand.KeepWarm(until));
        spares.add(new Spare(id, until));
    }

    /** Drops the spares about to expire (their entities leave memory by themselves) and tops the rest up. */
    private void refreshSpares() {
        long now = System.currentTimeMillis();
        spares.removeIf(s -> s.warmUntilMillis() - SPARE_MARGIN.toMillis() <= now);
        for (int i = spares.size(); i < SPARE_IDS; i++) {
            addSpare();
        }
    }

    // ---- hosts and VMs

    /** GET /api/hosts */
    public CompletionStage<JsonNode> hosts() {
        return hostSummaries().thenApply(hs -> {
            ArrayNode out = Json.mapper().createArrayNode();
            hs.forEach(h -> out.add(hostJson(h)));
            return out;
        });
    }

    /** GET /api/vms: every VM its host's latest status reports, with the host. */
    public CompletionStage<JsonNode> vms() {
        return hostSummaries().thenApply(hs -> {
            ArrayNode out = Json.mapper().createArrayNode();
            for (HostSummary h : hs) {
                if (h.registration() == null) {
                    continue;
                }
                for (HostStatus.VmState vm : h.registration().vms()) {
                    ObjectNode o = Json.mapper().valueToTree(vm);
                    o.put("hostId", h.hostId());
                    o.put("hostLiveness", h.liveness().name());
                    out.add(o);
                }
            }
            return out;
        });
    }

    /**
     * POST /api/vms: sends define-vm, then start-vm, to the host's agent (which runs them in order) and answers
     * 202 with the command ids; the VM shows in GET /api/vms once the agent reports it, right after each of the commands. The
     * command ids are deterministic ({@code vm/<host>/<vmId>/define}, {@code .../start}), so a repeated request
     * is answered by the agent from its journal rather than run twice.
     */
    public CompletionStage<JsonNode> createVm(VmRequest req) {
        return hostSummaries().thenApply(hosts -> {
            HostSummary host = hosts.stream().filter(h -> h.hostId().equals(req.host()) && h.registration() != null)
                    .findFirst().orElseThrow(() -> ApiException.notFound("host", "unknown host " + req.host()));
            if (host.liveness() != Liveness.UP) {
                throw ApiException.conflict("host", "host " + host.hostId() + " is " + host.liveness().name().toLowerCase()
                        + (host.reason() == null ? "" : ": " + host.reason()));
            }
            for (HostSummary h : hosts) {
                if (h.registration() != null && h.registration().vms().stream().anyMatch(v -> v.vmId().equals(req.vmId()))) {
                    throw ApiException.conflict("vmId", "VM " + req.vmId() + " already exists on host " + h.hostId());
                }
            }
            String prefix = "vm/" + req.host() + "/" + req.vmId() + "/";
            AgentCommand.DefineVm define = new AgentCommand.DefineVm(prefix + "define", req.host(), req.vmId(),
                    req.memoryMiB(), req.vcpus(), req.dirtyRate());
            AgentCommand.StartVm start = new AgentCommand.StartVm(prefix + "start", req.host(), req.vmId());
            coordinator.gateway().send(define);
            coordinator.gateway().send(start);
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("vmId", req.vmId());
            o.put("host", req.host());
            o.put("memoryMiB", req.memoryMiB());
            o.put("vcpus", req.vcpus());
            o.put("dirtyRate", req.dirtyRate());
            o.putArray("commandIds").add(define.commandId()).add(start.commandId());
            return o;
        });
    }

    static ObjectNode hostJson(HostSummary h) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("hostId", h.hostId());
        o.put("liveness", h.liveness().name());
        o.put("up", h.liveness() == Liveness.UP);
        if (h.since() != null) {
            o.put("since", h.since().toString());
        }
        if (h.reason() != null) {
            o.put("reason", h.reason());
        }
        HostStatus r = h.registration();
        if (r != null) {
            o.put("qemuVersion", r.qemuVersion());
            o.put("accel", r.accel());
            o.put("memoryMiB", r.memoryMiB());
            o.put("vcpus", r.vcpus());
            o.set("vms", Json.mapper().valueToTree(r.vms()));
            if (r.agentStarted() != null) {
                o.put("agentStarted", r.agentStarted().toString());
            }
        }
        return o;
    }

    private CompletionStage<List<HostSummary>> hostSummaries() {
        return blocking(() -> Coordinator.hostIds(db))
                .thenCompose(ids -> all(ids.stream().map(id -> coordinator.host(id)
                        .<HostSummary>askWithStatus(HostCommand.Get::new, ASK)).toList()));
    }

    // ---- migrations

    /** POST /api/migrations: 201 with the new migration's summary. */
    public CompletionStage<JsonNode> create(MigrationRequest req) {
        if (req.vmId() != null && !requesting.add(req.vmId())) {
            return CompletableFuture.failedFuture(ApiException.conflict("vmId", "VM " + req.vmId()
                    + " is the subject of another migration request right now"));
        }
        return createChecked(req).whenComplete((r, e) -> {
            if (req.vmId() != null) requesting.remove(req.vmId());
        });
    }

    private CompletionStage<JsonNode> createChecked(MigrationRequest req) {
        String id = newMigrationId();
        // Wakes the new migration's entity first (a spare's is awake already): its recovery (three journal and
        // snapshot queries, 13 to 20 ms under load) then runs while the checks below run theirs, rather than after
        // them. An entity the checks leave unused has no events, and leaves memory at its first tick.
        coordinator.migration(id).tell(new MigrationCommand.Get(coordinator.system().ignoreRef()));
        // Both reads at once (each a query and a round of asks); the checks below still run in their order.
        CompletableFuture<List<MigrationSummary>> unfinished = unfinishedOf(req.vmId()).toCompletableFuture();
        return hostSummaries().thenCompose(hosts -> {
            HostSummary source = null;
            HostStatus.VmState vm = null;
            for (HostSummary h : hosts) {
                if (h.registration() != null) {
                    for (HostStatus.VmState v : h.registration().vms()) {
                        if (v.vmId().equals(req.vmId())) {
                            source = h;
                            vm = v;
                        }
                    }
                }
            }
            if (source == null) {
                throw ApiException.notFound("vmId", "unknown VM " + req.vmId() + ": no registered host reports it");
            }
            HostSummary dest = hosts.stream().filter(h -> h.hostId().equals(req.to()) && h.registration() != null)
                    .findFirst().orElseThrow(() -> ApiException.notFound("to", "unknown host " + req.to()));
            if (dest.hostId().equals(source.hostId())) {
                throw ApiException.conflict("to", "VM " + req.vmId() + " already runs on " + req.to()
                        + ": the destination must differ from the source");
            }
            if (dest.liveness() != Liveness.UP) {
                throw ApiException.conflict("to", "destination host " + dest.hostId() + " is " + dest.liveness().name().toLowerCase()
                        + (dest.reason() == null ? "" : ": " + dest.reason()));
            }
            if (source.liveness() != Liveness.UP) {
                throw ApiException.conflict("vmId", "source host " + source.hostId() + " of VM " + req.vmId() + " is "
                        + source.liveness().name().toLowerCase() + (source.reason() == null ? "" : ": " + source.reason()));
            }
            HostSummary src = source;
            HostStatus.VmState v = vm;
            return unfinished.thenCompose(running -> {
                Optional<MigrationSummary> busy = running.stream().filter(m -> m.vmId().equals(req.vmId())).findFirst();
                if (busy.isPresent()) {
                    throw ApiException.conflict("vmId", "VM " + req.vmId() + " is already migrating ("
                            + busy.get().migrationId() + ", " + busy.get().phase().name().toLowerCase() + ")");
                }
                CoordinatorPolicy policy = req.policy();
                recent.put(id, new Created(req.vmId(), System.nanoTime()));
                return coordinator.migration(id).<MigrationSummary>askWithStatus(r -> new MigrationCommand.Create(
                        req.vmId(), src.hostId(), req.to(), v.memoryMiB(), v.vcpus(), policy, r), ASK)
                        .exceptionally(e -> {
                            throw errorReply(e).map(m -> (RuntimeException) ApiException.conflict(null, m))
                                    .orElseGet(() -> new CompletionException(e));
                        })
                        .thenApply(s -> (JsonNode) Json.mapper().valueToTree(s));
            });
        });
    }

    /**
     * The unfinished migrations of {@code vmId}, as their entities say: those the read model lists unfinished, and
     * those this API created within {@link #RECENT} that it does not list as ended yet (it may not list them at all).
     * Neither query reads the journal, which grows with every migration ever run, and a migration that has ended
     * is not asked: asking would wake its entity, a journal replay for nothing, in the middle of the next request.
     * An id whose entity turns out empty (its request was refused) or ended is left out.
     */
    private CompletionStage<List<MigrationSummary>> unfinishedOf(String vmId) {
        long now = System.nanoTime();
        recent.values().removeIf(c -> now - c.atNanos() > RECENT.toNanos());
        List<String> mine = recent.entrySet().stream().filter(e -> e.getValue().vmId().equals(vmId)).map(Map.Entry::getKey).toList();
        return blocking(() -> {
            MigrationSummaryQuery.Unfinished known;
            try {
                known = summaries.unfinished(vmId, mine);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the migrations of VM " + vmId + ": " + e.getMessage(), e);
            }
            known.ended().forEach(recent::remove);
            java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>(mine);
            ids.removeAll(known.ended());
            ids.addAll(known.unfinished());
            return ids;
        }).thenCompose(ids -> all(ids.stream().map(id -> coordinator.migration(id)
                        .<MigrationSummary>askWithStatus(MigrationCommand.Get::new, ASK)
                        .handle((s, e) -> e == null ? s : null)).toList()))
                .thenApply(l -> l.stream().filter(m -> m != null && !m.phase().isTerminal() && vmId.equals(m.vmId())).toList());
    }

    /**
     * GET /api/migrations?vm=&amp;phase=: the migrations' summaries from the read model (migration_summary),
     * oldest request first, without recovering any entity. The read model lags the journal by a poll or
     * two: a migration created a moment ago may not be listed yet, and the list is no basis for a decision.
     */
    public CompletionStage<JsonNode> migrations(Map<String, String> q) {
        for (String k : q.keySet()) {
            if (!List.of("vm", "phase").contains(k)) {
                throw ApiException.badRequest(k, "unknown parameter " + k + " (known: vm, phase)");
            }
        }
        String vm = q.get("vm") == null || q.get("vm").isBlank() ? null : q.get("vm");
        Phase phase = phase(q.get("phase"));
        return blocking(() -> {
            try {
                return Json.mapper().<JsonNode>valueToTree(summaries.find(vm, phase));
            } catch (SQLException e) {
                throw new IllegalStateException("reading migration_summary: " + e.getMessage(), e);
            }
        });
    }

    /** A phase as the API prints it (COMPLETED; any case), or null when not given. */
    static Phase phase(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Phase.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("phase", "phase must be one of " + Arrays.stream(Phase.values()).map(Phase::name)
                    .collect(Collectors.joining(", ")) + ", got '" + v + "'");
        }
    }

    /**
     * The longest {@code GET /api/migrations/{id}?wait=} holds a request: below Pekko HTTP's request timeout
     * (application.conf), so that a long poll answers with the migration rather than a 503.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /**
     * How often a long poll asks the migration entity anyway, should an end's announcement ({@link MigrationEnded})
     * be missed (a topic subscription that has not reached every node yet): the notice is what answers it.
     */
    static final Duration WAIT_SAFETY_POLL = Duration.ofSeconds(2);

    /**
     * The {@code wait} parameter of {@code GET /api/migrations/{id}}: a duration in seconds ({@code 30}, {@code 30s},
     * {@code 500ms}) or ISO-8601 ({@code PT30S}), at most {@link #MAX_WAIT}; zero when absent.
     */
    static Duration waitParameter(Map<String, String> q) {
        for (String k : q.keySet()) {
            if (!k.equals("wait")) {
                throw ApiException.badRequest(k, "unknown parameter " + k + " (known: wait)");
            }
        }
        String v = q.get("wait");
        if (v == null || v.isBlank()) {
            return Duration.ZERO;
        }
        Duration d;
        String t = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(t.endsWith("s") ? t.substring(0, t.length() - 1) : t) * 1000));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiException.badRequest("wait", "wait must be a duration such as 30s, 500ms or PT30S, got '" + v + "'");
        }
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw ApiException.badRequest("wait", "wait must be between 0 and " + MAX_WAIT.toSeconds() + "s, got '" + v + "'");
        }
        return d;
    }

    /**
     * GET /api/migrations/{id}?wait=: its summary once the migration has ended or {@code wait} is over, whichever
     * comes first (a long poll: one request instead of a client asking again and again). The waiter is woken by
     * the entity's {@link MigrationEnded} notice; it registers before it first asks, so no end slips between.
     */
    public CompletionStage<JsonNode> migration(String id, Duration wait) {
        if (wait.isZero()) {
            return migration(id);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(ended);
        return summary(id).thenCompose(s -> awaitEnd(id, s, ended, deadline))
                .whenComplete((s, e) -> waiters.computeIfPresent(id, (k, set) -> {
                    set.remove(ended);
                    return set.isEmpty() ? null : set;
                }))
                .thenCompose(s -> migration(id));
    }

    private CompletionStage<MigrationSummary> awaitEnd(String id, MigrationSummary s, CompletableFuture<Void> ended, long deadline) {
        long left = deadline - System.nanoTime();
        if (s.phase().isTerminal() || left <= 0) {
            return CompletableFuture.completedFuture(s);
        }
        // Until the notice, the safety poll or the deadline, whichever comes first; then ask the entity again.
        long nap = Math.min(left, WAIT_SAFETY_POLL.toNanos());
        // Woken by the notice, it answers at once: the answer (migration(id)) asks the entity anyway.
        return ended.copy().completeOnTimeout(null, nap, java.util.concurrent.TimeUnit.NANOSECONDS)
                .thenCompose(v -> ended.isDone() ? CompletableFuture.completedFuture(s)
                        : summary(id).thenCompose(next -> awaitEnd(id, next, ended, deadline)));
    }

    /** Long polls waiting for the end of a migration, by migration id; completed by {@link #endListener}. */
    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

    /** Wakes the long polls of a migration that announced its end. */
    private Behavior<MigrationEnded> endListener() {
        return Behaviors.receive(MigrationEnded.class).onMessage(MigrationEnded.class, m -> {
            Set<CompletableFuture<Void>> ws = waiters.get(m.migrationId());
            if (ws != null) {
                ws.forEach(f -> f.complete(null));
            }
            return Behaviors.same();
        }).build();
    }

    /** GET /api/migrations/{id}: its summary, with the last progress sample when there is one. */
    public CompletionStage<JsonNode> migration(String id) {
        // One ask: the entity keeps its last two recorded samples, so the journal is not read back (a query that
        // took 10 to 25 ms while a migration ran, on the answer that a long poll waits for).
        return coordinator.migration(id).<MigrationDetail>askWithStatus(MigrationCommand.GetDetail::new, ASK)
                .exceptionally(e -> {
                    throw errorReply(e).map(m -> (RuntimeException) ApiException.notFound("migrationId", "unknown migration " + id))
                            .orElseGet(() -> new CompletionException(e));
                })
                .thenApply(d -> {
                    ObjectNode o = Json.mapper().valueToTree(d.summary());
                    MigrationEvent.ProgressRecorded last = d.last();
                    if (last != null) {
                        ObjectNode progress = o.putObject("progress");
                        progress.put("sampledAt", last.sampledAt() == null ? null : last.sampledAt().toString());
                        progress.put("status", last.status());
                        progress.put("pass", last.newPass());
                        putIfSet(progress, "remaining", last.remaining());
                        putIfSet(progress, "transferred", last.transferred());
                        putIfSet(progress, "dirtyPagesRate", last.dirtyPagesRate());
                        putIfSet(progress, "expectedDowntimeMs", last.expectedDowntimeMs());
                        putIfSet(progress, "cpuThrottlePercentage", last.cpuThrottlePercentage());
                        MigrationEvent.ProgressRecorded prev = d.previous();
                        if (prev != null && prev.transferred() != null && last.transferred() != null && prev.sampledAt() != null
                                && last.sampledAt() != null) {
                            long ms = Duration.between(prev.sampledAt(), last.sampledAt()).toMillis();
                            if (ms > 0) {
                                progress.put("transferRate", (last.transferred() - prev.transferred()) * 1000 / ms);
                            }
                        }
                    }
                    return (JsonNode) o;
                });
    }

    private static void putIfSet(ObjectNode o, String name, Long v) {
        if (v != null) {
            o.put(name, v);
        }
    }

    /** GET /api/migrations/{id}/events: every persisted event with its time, type, phases and reason. */
    public CompletionStage<JsonNode> migrationEvents(String id) {
        return summary(id).thenCompose(s -> events(id)).thenApply(events -> {
            ArrayNode out = Json.mapper().createArrayNode();
            for (EventEnvelope e : events) {
                ObjectNode o = Json.mapper().createObjectNode();
                o.put("sequenceNr", e.sequenceNr());
                Object ev = e.event();
                o.put("type", ev.getClass().getSimpleName());
                if (ev instanceof MigrationEvent m) {
                    o.put("time", m.time().toString());
                    JsonNode data = Json.mapper().valueToTree(m);
                    o.set("oldPhase", data.get("oldPhase"));
                    o.set("newPhase", data.get("newPhase"));
                    if (data.hasNonNull("reason")) {
                        o.set("reason", data.get("reason"));
                    } else if (data.hasNonNull("errorDesc")) {
                        o.set("reason", data.get("errorDesc"));
                    } else if (m instanceof MigrationEvent.CleanUpAnswered c) {
                        String step = c.commandId().substring(c.commandId().lastIndexOf('/') + 1);
                        o.put("reason", c.ok() ? "host " + c.hostId() + " did " + step
                                : "host " + c.hostId() + " refused " + step + ": " + c.error());
                    }
                    o.set("data", data);
                } else {
                    o.put("time", Instant.ofEpochMilli(e.timestamp()).toString());
                }
                out.add(o);
            }
            return out;
        });
    }

    private CompletionStage<List<EventEnvelope>> events(String id) {
        return journal.currentEventsByPersistenceId("Migration|" + id, 0L, Long.MAX_VALUE)
                .runWith(Sink.seq(), coordinator.system());
    }

    private CompletionStage<MigrationSummary> summary(String id) {
        return coordinator.migration(id).<MigrationSummary>askWithStatus(MigrationCommand.Get::new, ASK)
                .exceptionally(e -> {
                    throw errorReply(e).map(m -> (RuntimeException) ApiException.notFound("migrationId", "unknown migration " + id))
                            .orElseGet(() -> new CompletionException(e));
                });
    }

    /** POST /api/migrations/{id}/cancel: 409 with the entity's reason when refused. */
    public CompletionStage<JsonNode> cancel(String id, String reason) {
        return summary(id).thenCompose(s -> coordinator.migration(id).<MigrationSummary>askWithStatus(
                        r -> new MigrationCommand.Cancel(reason, r), ASK)
                .exceptionally(e -> {
                    throw errorReply(e).map(m -> (RuntimeException) ApiException.conflict("migrationId", m))
                            .orElseGet(() -> new CompletionException(e));
                })
                .thenApply(r -> (JsonNode) Json.mapper().valueToTree(r)));
    }

    // ---- audit

    /** GET /api/audit?vm=&host=&migration=&type=&since=&until=&limit= */
    public CompletionStage<JsonNode> audit(Map<String, String> q) {
        for (String k : q.keySet()) {
            if (!List.of("vm", "host", "migration", "type", "since", "until", "limit").contains(k)) {
                throw ApiException.badRequest(k, "unknown parameter " + k + " (known: vm, host, migration, type, since, until, limit)");
            }
        }
        Instant since = instant(q, "since");
        Instant until = instant(q, "until");
        int limit = AuditFilter.DEFAULT_LIMIT;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit", "limit must be a whole number, got '" + q.get("limit") + "'");
            }
        }
        AuditFilter f;
        try {
            f = new AuditFilter(q.get("vm"), q.get("host"), q.get("migration"), q.get("type"), since, until, limit);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage().startsWith("limit") ? "limit" : "until", e.getMessage());
        }
        return blocking(() -> {
            try {
                return (JsonNode) Json.mapper().valueToTree(new AuditQuery(db).find(f));
            } catch (SQLException e) {
                throw new IllegalStateException("reading the audit log: " + e.getMessage(), e);
            }
        });
    }

    private static Instant instant(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name, name + " must be an ISO-8601 instant such as 2026-11-21T20:00:00Z, got '" + v + "'");
        }
    }

    // ---- helpers

    /** The message of a StatusReply error, if {@code e} is (or wraps) one. */
    static Optional<String> errorReply(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof StatusReply.ErrorMessage ? Optional.of(t.getMessage()) : Optional.empty();
    }

    private <T> CompletionStage<T> blocking(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, blocking);
    }

    private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
        List<CompletableFuture<T>> fs = stages.stream().map(CompletionStage::toCompletableFuture).toList();
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
                .thenApply(v -> fs.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public void close() {
        spareRefresh.cancel();
        blocking.shutdownNow();
        db.close();
    }
}
