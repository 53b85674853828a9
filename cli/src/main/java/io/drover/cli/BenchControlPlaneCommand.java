package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.local.LocalMigration;
import io.drover.agent.net.FreePorts;
import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuLauncher;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.VmSpec;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.service.AgentConfig;
import io.drover.agent.service.AgentService;
import io.drover.broker.EmbeddedKafka;
import io.drover.coordinator.Coordinator;
import io.drover.coordinator.api.HttpApi;
import io.drover.coordinator.audit.AuditLogWriter;
import io.drover.coordinator.infra.AgentInbox;
import io.drover.coordinator.infra.KafkaAgentGateway;
import io.drover.events.Json;
import io.drover.events.MigrationPolicy;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code drover bench control-plane}: the same VM migrated N times through the whole control plane (REST API,
 * the coordinator's event-sourced entity in PostgreSQL, Kafka, two agents, the destination agent starting the
 * destination QEMU on {@code prepare-incoming}) and N times by the bare sequence a person would type, interleaved.
 * Everything runs in this JVM: an embedded broker, a database created for the run and dropped after it, the
 * coordinator and two agents.
 *
 * <p>Both ways do the same work, so that the difference is what the control plane adds: a control-plane run
 * is timed from {@code POST /api/migrations} to the API reporting it completed (a long poll,
 * {@code GET /api/migrations/{id}?wait=}, which answers the moment it ends) (the destination confirmed the
 * guest runs); a bare run from starting the destination QEMU with {@code -incoming defer} (the agent's own
 * launcher) to the destination's RESUME. Both migrate under QEMU's default downtime limit: the coordinator's
 * request sets {@code downtimeSteps} to 1, since a ladder that starts lower (the default, for a shorter pause)
 * costs passes by design, which is policy, not overhead. The bare run's migration alone (from
 * {@code migrate-incoming}) is printed beside it. Each way's migration as QEMU timed it (the source's
 * {@code total-time}, from {@code migrate} to completed; for the control plane from the source agent's outcome in the
 * audit log) splits the overhead into what the control plane adds around the migration and how much longer the
 * migration itself ran beside it.
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time migrations through the coordinator, Kafka and two agents against the bare QMP sequence.",
                "Here the guest dirties 4 MiB/s unless --dirty-rate says otherwise, and 12 uncounted warm-up rounds (a migration"
                        + " each way) run first, unless --warmup says otherwise: the JIT of this JVM is still busy after a few."})
final class BenchControlPlaneCommand implements Callable<Integer> {
    @Mixin VmOptions vm;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin BenchOptions bench;


    @Option(names = "--db-server", paramLabel = "URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/",
            description = "The PostgreSQL server (user postgres) to create the run's database on (default: ${DEFAULT-VALUE}).")
    String dbServer;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the broker and the VMs live (default: .drover/bench-cp/<time>).")
    Path workDir;

    @Option(names = "--json", description = "Print one JSON object with the figures as the last line.")
    boolean json;

    @Option(names = "--timeline", description = "Above each run's row, when each event of its control-plane migration was"
            + " recorded and when the API answered, in ms after the POST: where the overhead goes.")
    boolean timeline;

    /**
     * A pause before every timed run, so that each starts on a quiet machine: the previous run's tail (its old
     * QEMU stopping, the audit log and the read model catching up) is not counted against the next one.
     */
    static final Duration QUIET = Duration.ofSeconds(1);
    /** How long one long poll of the API for the end of a migration waits: below the API client's timeout. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration LIMIT = Duration.ofMinutes(2);
    static final String HOST_A = "bench-a";
    /**
     * Uncounted rounds (a migration each way) before timing, unless --warmup says how many. The coordinator, the broker
     * and both agents share this JVM, and HotSpot's C2 compiler stays busy for minutes: measured with per-thread CPU
     * times over the 75 s of timed runs after three rounds, the compiler threads took 47% of the JVM's CPU, competing
     * with both QEMUs for two cores during the migrations (overhead 90 ms). After twelve rounds the overhead was 59 ms,
     * after twenty 58 ms, while the compiler still took 200 to 700 ms per round. A deployed coordinator and agent run
     * for days, long past this: the timed runs measure that steady state, and each row shows the JIT's ms.
     */
    static final int DEFAULT_WARMUP = 12;
    static final String HOST_B = "bench-b";

    @Override
    public Integer call() throws Exception {
        CompilerThreads.lowerPriority(); // as the agent and coordinator do: see CompilerThreads
        if (!spec.commandLine().getParseResult().hasMatchedOption("--warmup")) {
            bench.warmup = DEFAULT_WARMUP; // see DEFAULT_WARMUP
        }
        bench.validate();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--dirty-rate")) {
            vm.dirtyRate = BenchLocalMigrateCommand.DEFAULT_BENCH_DIRTY_RATE;
        }
        if (vm.dirtyRate < 0) {
            throw new IllegalArgumentException("--dirty-rate max is not supported here: an agent's VM takes idle or a rate");
        }
        PrintStream out = System.out;
        Path dir = workDir != null ? workDir
                // Short: a VM's QMP socket lives a few directories below, within the 107 bytes of a unix socket path.
                : Path.of(".drover", "bench-cp", java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        Accel accel = vm.accel();
        String server = dbServer.endsWith("/") ? dbServer : dbServer + "/";
        String db = "drover_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        List<AutoCloseable> closers = new ArrayList<>();
        List<Long> coordinatorMs = new ArrayList<>();
        List<Long> acceptMs = new ArrayList<>();
        List<Long> cpuMs = new ArrayList<>();
        List<Long> bareCpuMs = new ArrayList<>();
        List<Long> prepareMs = new ArrayList<>();
        List<Long> migrateMs = new ArrayList<>();
        List<Long> confirmMs = new ArrayList<>();
        List<Long> bareMs = new ArrayList<>();
        List<Long> bareStartMs = new ArrayList<>();
        List<Long> qemuMs = new ArrayList<>();
        List<Long> bareQemuMs = new ArrayList<>();
        List<Long> jitMs = new ArrayList<>();
        out.printf("bench control-plane: %d runs each way, %d MiB guest dirtying %s, %s, work dir %s%n", bench.runs, vm.memoryMiB,
                vm.describeDirtyRate(), accel, dir);
        sql(server + "postgres", "CREATE DATABASE " + db);
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            closers.add(kafka);
            for (String t : List.of(Topics.AGENT_COMMANDS, Topics.AGENT_RESULTS, Topics.AGENT_EVENTS, Topics.HOSTS)) {
                kafka.createTopic(t, 1);
            }
            ApiClient api = startCoordinator(kafka.bootstrapServers(), server + db, closers);
            for (String h : List.of(HOST_A, HOST_B)) {
                // The default heartbeat interval, as deployed: agents report their VMs at once when they change.
                AgentService a = AgentService.start(AgentConfig.of(h, kafka.bootstrapServers(), dir.resolve(h), accel), line -> { });
                closers.add(a);
                closers.add(() -> killQemus(dir.resolve(h)));
            }
            awaitUp(api);
            ObjectNode define = Json.mapper().createObjectNode();
            define.put("vmId", vm.vmId).put("host", HOST_A).put("memoryMiB", vm.memoryMiB).put("vcpus", vm.vcpus)
                    .put("dirtyRate", vm.dirtyRate);
            api.post("/api/vms", define);
            awaitBanner(dir.resolve(HOST_A));
            awaitOnlyOn(api, HOST_A);

            MigrationPolicy policy = MigrationPolicy.defaults();
            // The bare way's VM: one guest, started once and moved from QEMU to QEMU like the agents' VM.
            Path bareDir = dir.resolve("bare").toAbsolutePath();
            String bareVm = vm.vmId + "-bare";
            BareVm bare = new BareVm(LocalMigration.prepare(bareDir, bareVm, vm.memoryMiB, vm.vcpus, vm.guest(), policy, accel),
                    new QemuLauncher(bareDir.resolve("vms"), accel), new VmSpec(bareVm, vm.memoryMiB, vm.vcpus,
                    bareDir.resolve(LocalMigration.GUEST_IMAGE)));
            closers.add(bare);
            bare.pause();
            String at = HOST_A;
            out.printf("%-5s %14s %9s %10s %10s %10s %8s %9s %9s %13s %8s %9s %9s%n", "run", "coordinator ms", "(accept)", "(prepare)",
                    "(migrate)", "(confirm)", "(cpu ms)", "(qemu ms)", "bare ms", "(start dest)", "(cpu ms)", "(qemu ms)", "(jit ms)");
            for (int i = 1 - bench.warmup; i <= bench.runs; i++) {
                boolean coordinatorFirst = i % 2 == 1;
                long jit0 = jitMillis();
                long c = 0, ac = 0, p = 0, mi = 0, cf = 0, cc = 0, cq = 0, b = 0, bs = 0, bc = 0, bq = 0;
                for (int leg = 0; leg < 2; leg++) {
                    Thread.sleep(QUIET.toMillis()); // not timed: see QUIET
                    if ((leg == 0) == coordinatorFirst) {
                        String to = at.equals(HOST_A) ? HOST_B : HOST_A;
                        long[] r = viaCoordinator(api, to, policy);
                        c = r[0];
                        p = r[1];
                        ac = r[4];
                        cc = r[5];
                        mi = r[2];
                        cf = r[3];
                        cq = r[6];
                        at = to;
                        awaitOnlyOn(api, at); // not timed: the next POST looks the VM up on its host
                    } else {
                        bare.resume(); // not timed
                        long cpu0 = processCpuNanos();
                        BareMigration.Moved mv = BareMigration.moveToNewDestination(bare.qmp, bare.launcher, bare.spec,
                                BenchOptions.runName("bare-", i), "tcp:127.0.0.1:" + FreePorts.loopback());
                        b = mv.total().toMillis();
                        bs = mv.destinationStart().toMillis();
                        bc = (processCpuNanos() - cpu0) / 1_000_000;
                        bq = mv.qemuTotal();
                        bare.movedTo(mv); // not timed: the old source QEMU is stopped
                        bare.pause();
                    }
                }
                long jit = jitMillis() - jit0;
                if (i < 1) {
                    out.printf("%-5s %14d %9d %10d %10d %10d %8d %9d %9d %13d %8d %9d %9d%n", "warm", c, ac, p, mi, cf, cc, cq, b, bs, bc, bq, jit);
                    continue;
                }
                jitMs.add(jit);
                coordinatorMs.add(c);
                acceptMs.add(ac);
                prepareMs.add(p);
                migrateMs.add(mi);
                confirmMs.add(cf);
                bareMs.add(b);
                bareStartMs.add(bs);
                cpuMs.add(cc);
                bareCpuMs.add(bc);
                qemuMs.add(cq);
                bareQemuMs.add(bq);
                out.printf("%-5d %14d %9d %10d %10d %10d %8d %9d %9d %13d %8d %9d %9d%n", i, c, ac, p, mi, cf, cc, cq, b, bs, bc, bq, jit);
            }
        } finally {
            for (int i = closers.size() - 1; i >= 0; i--) {
                try {
                    closers.get(i).close();
                } catch (Exception e) {
                    System.err.println("bench clean-up: " + e);
                }
            }
            try {
                sql(server + "postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            } catch (Exception e) {
                System.err.println("bench: cannot drop database " + db + ": " + e);
            }
        }
        double coordinatorMedian = BenchLocalMigrateCommand.median(coordinatorMs);
        double prepareMedian = BenchLocalMigrateCommand.median(prepareMs);
        double bareMedian = BenchLocalMigrateCommand.median(bareMs);
        double migrateMedian = BenchLocalMigrateCommand.median(migrateMs);
        double confirmMedian = BenchLocalMigrateCommand.median(confirmMs);
        double bareStartMedian = BenchLocalMigrateCommand.median(bareStartMs);
        double overhead = coordinatorMedian - bareMedian;
        double ratio = coordinatorMedian / bareMedian;
        out.printf("%nmedian: coordinator %.1f ms (POST answered %.1f ms, prepare-incoming %.1f ms, migrate issued to switchover %.1f ms,"
                + " switchover to confirmed %.1f ms), bare %.1f ms (destination QEMU start %.1f ms)%n", coordinatorMedian,
                BenchLocalMigrateCommand.median(acceptMs),
                prepareMedian, migrateMedian, confirmMedian, bareMedian, bareStartMedian);
        out.printf("CPU time of this JVM (coordinator, broker, agents) per migration: %.1f ms through the coordinator, %.1f ms"
                + " bare, on %d cores%n", BenchLocalMigrateCommand.median(cpuMs), BenchLocalMigrateCommand.median(bareCpuMs),
                Runtime.getRuntime().availableProcessors());
        // Each run pairs a control-plane migration with a bare one next to it: their differences show how far the
        // overhead is from run to run, which the difference of the two medians alone hides.
        List<Long> paired = new ArrayList<>();
        for (int k = 0; k < coordinatorMs.size(); k++) {
            paired.add(coordinatorMs.get(k) - bareMs.get(k));
        }
        List<Long> sortedPairs = new ArrayList<>(paired);
        sortedPairs.sort(null);
        long pairedLow = sortedPairs.isEmpty() ? 0 : sortedPairs.get(sortedPairs.size() / 4);
        long pairedHigh = sortedPairs.isEmpty() ? 0 : sortedPairs.get((sortedPairs.size() * 3) / 4);
        out.printf("per run, control plane minus bare: median %.1f ms, middle half %d to %d ms%n",
                BenchLocalMigrateCommand.median(paired), pairedLow, pairedHigh);
        // QEMU's own total-time of each migration (the source's, from migrate to completed) splits the overhead into
        // what the control plane adds around the migration and how much longer the migration itself ran beside it.
        List<Long> around = new ArrayList<>();
        for (int k = 0; k < coordinatorMs.size(); k++) {
            around.add((coordinatorMs.get(k) - qemuMs.get(k)) - (bareMs.get(k) - bareQemuMs.get(k)));
        }
        double qemuMedian = BenchLocalMigrateCommand.median(qemuMs);
        double bareQemuMedian = BenchLocalMigrateCommand.median(bareQemuMs);
        out.printf("QEMU's own migration time (total-time): %.1f ms through the coordinator, %.1f ms bare; per run, what the"
                + " control plane adds around the migration: median %.1f ms%n", qemuMedian, bareQemuMedian,
                BenchLocalMigrateCommand.median(around));
        out.printf("JIT compilation in this JVM per timed round (both ways): median %.1f ms, after %d warm-up rounds%n",
                BenchLocalMigrateCommand.median(jitMs), bench.warmup);
        out.printf("overhead %.1f ms, ratio %.3f (target: overhead <= 50 ms)%n", overhead, ratio);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("runs", bench.runs);
            j.put("coordinatorMedianMs", coordinatorMedian);
            j.put("bareMedianMs", bareMedian);
            j.put("overheadMs", Math.round(overhead * 10) / 10.0);
            j.put("ratio", Math.round(ratio * 1000) / 1000.0);
            j.put("prepareMedianMs", prepareMedian);
            j.put("coordinatorMs", coordinatorMs);
            j.put("migrateMedianMs", migrateMedian);
            j.put("confirmMedianMs", confirmMedian);
            j.put("prepareMs", prepareMs);
            j.put("acceptMedianMs", BenchLocalMigrateCommand.median(acceptMs));
            j.put("acceptMs", acceptMs);
            j.put("pairedOverheadMedianMs", BenchLocalMigrateCommand.median(paired));
            j.put("pairedOverheadMiddleHalfMs", List.of(pairedLow, pairedHigh));
            j.put("cpuMedianMs", BenchLocalMigrateCommand.median(cpuMs));
            j.put("bareCpuMedianMs", BenchLocalMigrateCommand.median(bareCpuMs));
            j.put("migrateMs", migrateMs);
            j.put("confirmMs", confirmMs);
            j.put("bareMs", bareMs);
            j.put("bareDestinationStartMedianMs", bareStartMedian);
            j.put("bareDestinationStartMs", bareStartMs);
            j.put("qemuMedianMs", qemuMedian);
            j.put("bareQemuMedianMs", bareQemuMedian);
            j.put("aroundMigrationMedianMs", BenchLocalMigrateCommand.median(around));
            j.put("qemuMs", qemuMs);
            j.put("bareQemuMs", bareQemuMs);
            j.put("warmupRounds", bench.warmup);
            j.put("jitMsPerRound", jitMs);
            j.put("memoryMiB", vm.memoryMiB);
            j.put("accel", accel.name().toLowerCase());
            out.println(Json.mapper().writeValueAsString(j));
        }
        return 0;
    }

    /**
     * The VM of the bare runs: started once by {@link LocalMigration} (which waits for its guest), then moved by bare
     * QMP to a new destination QEMU in each run, as the agents' VM moves between the hosts. A fresh guest per run
     * migrated ~80 ms slower than the long-running one with the same dirty rate, which skewed the comparison.
     */
    private static final class BareVm implements AutoCloseable {
        final QemuLauncher launcher;
        final VmSpec spec;
        private LocalMigration home;
        QmpClient qmp;
        private QemuProcess process;

        /** @param launcher and {@code spec}: those {@code home} started its QEMUs with */
        BareVm(LocalMigration home, QemuLauncher launcher, VmSpec spec) {
            this.home = home;
            this.launcher = launcher;
            this.spec = spec;
            this.qmp = home.sourceEndpoint().qmp();
        }

        /**
         * Pauses the guest between its runs: the test guest spins a host core while it paces its writes, and two
         * spinning guests would leave the control plane's runs one core fewer than the bare runs have.
         */
        void pause() {
            qmp.execute("stop");
        }

        /** Resumes the guest and lets it dirty memory for {@link #SETTLE} before it is timed, as the agents' VM does. */
        void resume() throws InterruptedException {
            qmp.execute("cont");
            Thread.sleep(SETTLE.toMillis());
        }

        /** Long enough for a resumed guest to dirty pages at its rate again (it paces in 1 ms ticks). */
        static final Duration SETTLE = Duration.ofMillis(500);

        /** The guest runs in {@code mv}'s destination now: stops the QEMU it left. */
        void movedTo(BareMigration.Moved mv) {
            if (home != null) {
                home.close();
                home = null;
            } else {
                qmp.close();
                process.kill();
            }
            qmp = mv.destinationQmp();
            process = mv.destination();
        }

        @Override
        public void close() {
            if (home != null) {
                home.close();
            } else if (process != null) {
                qmp.close();
                process.kill();
            }
        }
    }

    /** The coordinator as {@code drover coordinator} runs it, in this JVM, quiet, its API on a free port. */
    private static ApiClient startCoordinator(String kafka, String dbUrl, List<AutoCloseable> closers) {
        KafkaAgentGateway gateway = new KafkaAgentGateway(kafka, Clock.systemUTC());
        closers.add(gateway);
        Coordinator coordinator = Coordinator.start(Coordinator.config(Map.of(
                "drover.db.url", dbUrl, "drover.db.user", "postgres", "drover.db.password", "",
                "pekko.remote.artery.canonical.port", 0, "pekko.loglevel", "WARNING")), gateway);
        closers.add(() -> coordinator.stop(Duration.ofSeconds(30)));
        AgentInbox inbox = AgentInbox.start(kafka, coordinator);
        closers.add(inbox);
        AuditLogWriter audit = new AuditLogWriter(kafka, coordinator.database());
        Thread t = new Thread(audit, "bench-audit-writer");
        t.setDaemon(true);
        t.start();
        closers.add(audit);
        HttpApi http = coordinator.startApi("127.0.0.1", 0);
        closers.add(http);
        return new ApiClient("http://127.0.0.1:" + http.port());
    }

    /**
     * One migration through the API: {total ms, then from the journal's event times: MigrationRequested to
     * DestinationPrepared, MigrateIssued to SwitchoverCompleted, SwitchoverCompleted to MigrationCompleted}.
     */
    private long[] viaCoordinator(ApiClient api, String to, MigrationPolicy policy) throws InterruptedException {
        ObjectNode body = Json.mapper().createObjectNode();
        long start = System.nanoTime();
        Instant wallStart = Instant.now();
        body.put("vmId", vm.vmId);
        body.put("to", to);
        ObjectNode p = Json.mapper().valueToTree(policy);
        p.put("downtimeSteps", 1); // QEMU's default limit from the start, as the bare run has: see the class comment
        body.set("policy", p);
        long cpu0 = processCpuNanos();
        String id = api.post("/api/migrations", body).path("migrationId").asText();
        long accepted = (System.nanoTime() - start) / 1_000_000;
        long deadline = start + LIMIT.toNanos();
        String phase = "";
        while (!List.of("COMPLETED", "FAILED", "CANCELLED").contains(phase)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("migration " + id + " did not end within " + LIMIT + " (" + phase + ")");
            }
            // A long poll: the API answers the moment the migration ends, and the bench adds no load meanwhile.
            phase = api.get("/api/migrations/" + id + "?wait=" + WAIT.toSeconds() + "s").path("phase").asText();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        Instant wallEnd = Instant.now();
        long cpuMs = (processCpuNanos() - cpu0) / 1_000_000;
        if (!phase.equals("COMPLETED")) {
            throw new IllegalStateException("migration " + id + " ended " + phase + ": " + api.get("/api/migrations/" + id));
        }
        Map<String, Instant> at = new java.util.HashMap<>();
        JsonNode events = api.get("/api/migrations/" + id + "/events");
        for (JsonNode e : events) {
            at.putIfAbsent(e.path("type").asText(), Instant.parse(e.path("time").asText()));
        }
        if (timeline) {
            StringBuilder line = new StringBuilder("      ");
            for (JsonNode e : events) {
                line.append(' ').append(e.path("type").asText()).append(" +")
                        .append(Duration.between(wallStart, Instant.parse(e.path("time").asText())).toMillis());
            }
            System.out.println(line.append(", answered +").append(Duration.between(wallStart, wallEnd).toMillis()));
        }
        return new long[] {ms, between(at, "MigrationRequested", "DestinationPrepared"),
                between(at, "MigrateIssued", "SwitchoverCompleted"), between(at, "SwitchoverCompleted", "MigrationCompleted"), accepted, cpuMs,
                qemuTotalMs(api, id)};
    }

    /** How long the audit log may take to hold a migration's outcome: it reads Kafka in batches of up to 250 ms. */
    static final Duration AUDIT_WAIT = Duration.ofSeconds(10);

    /** QEMU's own total-time of migration {@code id}, from the source's outcome in the audit log (not timed); -1 if none came. */
    private static long qemuTotalMs(ApiClient api, String id) throws InterruptedException {
        long deadline = System.nanoTime() + AUDIT_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode row : api.get("/api/audit?migration=" + id + "&type=" + RecordTypes.MIGRATION_OUTCOME)) {
                JsonNode total = row.path("record").path("data").path("totalTimeMs");
                if (total.isNumber()) {
                    return total.asLong();
                }
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /**
     * The CPU time of this JVM so far: the coordinator, the broker and both agents run in it, so over one
     * migration it is what the control plane costs (the bare run's is what its QMP client costs).
     */
    /** HotSpot's accumulated compilation time, all compiler threads, in ms (-1 where the JVM does not tell). */
    static long jitMillis() {
        java.lang.management.CompilationMXBean c = java.lang.management.ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long between(Map<String, Instant> at, String from, String to) {
        return at.containsKey(from) && at.containsKey(to) ? Duration.between(at.get(from), at.get(to)).toMillis() : -1;
    }

    private void awaitUp(ApiClient api) {
        await("both agents to register", () -> {
            int up = 0;
            for (JsonNode h : api.get("/api/hosts")) {
                if (h.path("up").asBoolean()) up++;
            }
            return up == 2;
        });
    }

    private void awaitBanner(Path dataDir) {
        Path instance = dataDir.resolve("vms").resolve(vm.vmId).resolve("source");
        await("the guest to populate its RAM and print its banner", () -> {
            try {
                // POST /api/vms answers once define-vm and start-vm are sent, before the agent has started QEMU.
                Path serial = QemuProcess.reattach(instance).serialLog();
                return Files.exists(serial) && Files.readString(serial, StandardCharsets.ISO_8859_1).contains(DirtyGuestImage.SERIAL_BANNER);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
    }

    /** Until the API lists the VM, running, on {@code host} only. */
    private void awaitOnlyOn(ApiClient api, String host) {
        await("VM " + vm.vmId + " to run on " + host + " only", () -> {
            List<String> on = new ArrayList<>();
            for (JsonNode v : api.get("/api/vms")) {
                if (v.path("vmId").asText().equals(vm.vmId)) {
                    on.add(v.path("hostId").asText() + "/" + v.path("state").asText());
                }
            }
            return on.equals(List.of(host + "/running"));
        });
    }

    private static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + LIMIT + " waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
    }

    private static void killQemus(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) return;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path meta : files.filter(f -> f.getFileName().toString().equals("instance.properties")).toList()) {
                try {
                    QemuProcess.reattach(meta.getParent()).kill();
                } catch (RuntimeException e) {
                    // not a live instance
                }
            }
        }
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
