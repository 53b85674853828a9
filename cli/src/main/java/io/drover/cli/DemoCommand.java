package io.drover.cli;

import io.drover.agent.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.events.Json;
import io.drover.events.RecordTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code drover demo}: a whole fleet on this machine. Starts a Kafka broker, the coordinator (in a database of
 * its own on the local PostgreSQL) and N agents as separate processes, boots small VMs running the dirtying
 * guest at mixed rates on them through the API, drains the first host (each of its VMs live-migrates to the
 * other hosts under the policy), follows the migrations, prints a summary and the number of audit records,
 * and stops everything it started, also on Ctrl-C or a failure.
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a small fleet here (Kafka, the coordinator, agents, VMs), drain one host by live migration, "
                + "print a summary, and stop everything again.",
                "Default policy (when no policy flag is given): --max-bandwidth 24MiB/s --auto-converge."})
final class DemoCommand implements Callable<Integer> {
    /** Dirty rates of VM 1, 2, ... in MiB/s (0: idle), in turn; the first host gets VM 1 and VM 1+agents. */
    static final long[] DIRTY_RATES_MIB = {16, 0, 8, 32, 8, 0};
    static final long DEFAULT_MAX_BANDWIDTH = 24L << 20;

    @Spec CommandSpec spec;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "3", description = "Agents (hosts) to start, at least 2 (default: ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--vms", paramLabel = "N", defaultValue = "6", description = "VMs to boot, spread over the hosts (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(names = "--vm-memory", paramLabel = "MiB", defaultValue = "128", description = "Each VM's memory in MiB (default: ${DEFAULT-VALUE}).")
    int vmMemoryMiB;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto", description = "The agents' accelerator (default: ${DEFAULT-VALUE}).")
    AgentCommandLine.AccelChoice accel;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Logs and data of every process (default: .drover/demo/<time>).")
    Path workDir;

    @Option(names = "--db-server", paramLabel = "URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/",
            description = "The PostgreSQL server the demo creates its database on, user postgres (default: ${DEFAULT-VALUE}).")
    String dbServer;

    @Option(names = "--keep", description = "Keep the demo's database (drover_demo_<time>) at the end.")
    boolean keep;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "600", description = "Give up on the migrations after this long (default: ${DEFAULT-VALUE}).")
    int deadlineSeconds;

    @Option(names = "--warm-up", paramLabel = "SECONDS", defaultValue = "5",
            description = "Once the guests are up, let them dirty their memory this long before the drain (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = "--json", description = "Print one JSON object as the last line: migrations, completed, failed, auditRecords, ...")
    boolean json;

    @Mixin PolicyOptions policy;

    private final DemoProcesses processes = new DemoProcesses();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final List<DemoProcesses.Child> agentChildren = new ArrayList<>();
    private DemoProcesses.Child broker;
    private DemoProcesses.Child coordinator;
    private String database;
    private Path dir;
    private PrintStream out;

    /** One VM of the demo. */
    record DemoVm(String vmId, String host, long dirtyRate) {
    }

    /** One migration the drain asked for, and what became of it. */
    static final class Drain {
        final DemoVm vm;
        final String to;
        String migrationId;
        JsonNode last;
        Instant started;

        Drain(DemoVm vm, String to) {
            this.vm = vm;
            this.to = to;
        }

        String phase() {
            return last == null ? "REQUESTED" : last.path("phase").asText();
        }

        boolean ended() {
            String p = phase();
            return p.equals("COMPLETED") || p.equals("FAILED") || p.equals("CANCELLED");
        }
    }

    @Override
    public Integer call() throws Exception {
        out = System.out;
        if (agents < 2 || agents > 16) {
            throw new IllegalArgumentException("--agents must be between 2 and 16, got " + agents);
        }
        if (vms < 1 || vms > 64) {
            throw new IllegalArgumentException("--vms must be between 1 and 64, got " + vms);
        }
        if (vmMemoryMiB < 32 || vmMemoryMiB > 4096) {
            throw new IllegalArgumentException("--vm-memory must be between 32 and 4096 MiB, got " + vmMemoryMiB);
        }
        if (warmUpSeconds < 0) {
            throw new IllegalArgumentException("--warm-up must not be negative, got " + warmUpSeconds);
        }
        if (deadlineSeconds < 1) {
            throw new IllegalArgumentException("--deadline must be positive, got " + deadlineSeconds);
        }
        JsonNode policyJson = policyJson();
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        dir = (workDir != null ? workDir : Path.of(".drover", "demo", time)).toAbsolutePath().normalize();
        Files.createDirectories(dir);
        database = "drover_demo_" + time + "_" + ProcessHandle.current().pid();

        Thread hook = new Thread(() -> {
            if (!cleaned.get()) {
                interrupted.set(true);
                System.err.println("drover demo: interrupted; stopping everything it started");
            }
            cleanUp();
        }, "drover-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(dir, policyJson);
        } catch (RuntimeException e) {
            if (interrupted.get()) {
                return 130; // what follows an interruption (children gone, API away) is no news
            }
            if (e instanceof DemoFailure) {
                System.err.println("drover demo: " + e.getMessage());
                return 1;
            }
            throw e;
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds everything stopped)
            }
        }
    }

    /** A step of the demo that failed; its message names the process and shows the end of its log. */
    static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }

    private int run(Path dir, JsonNode policyJson) throws Exception {
        say("work directory " + dir);
        createDatabase();
        say("database " + database + " on " + dbServer);

        int kafkaPort = FreePorts.loopback();
        broker = processes.start("the Kafka broker", "512m", dir.resolve("kafka.log"),
                List.of("kafka", "--data-dir", dir.resolve("kafka").toString(), "--port", Integer.toString(kafkaPort)));
        String bootstrap = awaitLine(broker, "KAFKA READY ", Duration.ofSeconds(90));
        say("Kafka broker ready on " + bootstrap + " (pid " + broker.process().pid() + ")");

        int httpPort = FreePorts.loopback();
        String api = "http://127.0.0.1:" + httpPort;
        coordinator = processes.start("the coordinator", "512m", dir.resolve("coordinator.log"),
                List.of("coordinator", "--kafka", bootstrap, "--db-url", dbServer + database, "--http-port", Integer.toString(httpPort),
                        "--cluster-port", "0"));
        ApiClient client = new ApiClient(api);
        awaitApi(client, Duration.ofSeconds(120));
        say("coordinator ready, API on " + api + " (pid " + coordinator.process().pid() + ")");

        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= agents; i++) {
            String host = "host-" + i;
            hosts.add(host);
            agentChildren.add(processes.start("agent " + host, "256m", dir.resolve("agent-" + host + ".log"),
                    List.of("agent", "--host-id", host, "--kafka", bootstrap, "--data-dir", dir.resolve("agents").resolve(host).toString(),
                            "--accel", accel.name(), "--heartbeat-interval", "1000")));
        }
        awaitHosts(client, hosts, Duration.ofSeconds(120));
        say(agents + " agents registered: " + String.join(", ", hosts));

        List<DemoVm> demoVms = new ArrayList<>();
        for (int i = 1; i <= vms; i++) {
            long rate = DIRTY_RATES_MIB[(i - 1) % DIRTY_RATES_MIB.length] << 20;
            DemoVm vm = new DemoVm("vm-" + i, hosts.get((i - 1) % agents), rate);
            demoVms.add(vm);
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("vmId", vm.vmId()).put("host", vm.host()).put("memoryMiB", vmMemoryMiB).put("vcpus", 1).put("dirtyRate", rate);
            client.post("/api/vms", body);
        }
        awaitVms(client, demoVms, Duration.ofSeconds(120));
        say(vms + " VMs running (" + vmMemoryMiB + " MiB each): " + String.join(", ", demoVms.stream()
                .map(v -> v.vmId() + "@" + v.host() + " " + (v.dirtyRate() == 0 ? "idle" : (v.dirtyRate() >> 20) + " MiB/s")).toList()));

        awaitGuestsUp(demoVms, Duration.ofSeconds(120));
        if (warmUpSeconds > 0) {
            say("guests up; letting them dirty their memory for " + warmUpSeconds + " s");
            Thread.sleep(warmUpSeconds * 1000L);
        }

        String drained = hosts.get(0);
        List<String> others = hosts.subList(1, hosts.size());
        Map<String, Integer> load = new LinkedHashMap<>();
        for (String h : others) {
            load.put(h, (int) demoVms.stream().filter(v -> v.host().equals(h)).count());
        }
        List<Drain> drains = new ArrayList<>();
        for (DemoVm vm : demoVms) {
            if (!vm.host().equals(drained)) {
                continue;
            }
            // The least loaded other host (by VM count), the first of them on a tie.
            String to = load.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            load.merge(to, 1, Integer::sum);
            drains.add(new Drain(vm, to));
        }
        say("draining " + drained + ": " + drains.size() + " VM(s) live-migrate to " + String.join(", ", others)
                + " under " + Json.mapper().writeValueAsString(policyJson));
        for (Drain d : drains) {
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("vmId", d.vm.vmId()).put("to", d.to);
            body.set("policy", policyJson);
            JsonNode created = client.post("/api/migrations", body);
            d.migrationId = created.path("migrationId").asText();
            d.started = Instant.now();
            d.last = created;
        }
        follow(client, drains);

        out.println();
        Table t = new Table("VM", "FROM", "TO", "PASSES", "DOWNTIME", "TOTAL TIME", "RESULT", "DECISIONS");
        ArrayNode migrations = Json.mapper().createArrayNode();
        int completed = 0;
        int failed = 0;
        for (Drain d : drains) {
            JsonNode events = client.get("/api/migrations/" + d.migrationId + "/events");
            List<String> decisions = decisions(events);
            Long totalMs = totalTimeMs(events);
            Long downtimeMs = downtimeMs(client, d.migrationId);
            String result = d.phase();
            if (result.equals("COMPLETED")) {
                completed++;
            } else {
                failed++;
            }
            String reason = d.last == null ? null : ApiCommands.text(d.last, "reason");
            t.row(d.vm.vmId(), d.vm.host(), d.to, d.last == null ? null : d.last.path("pass").asLong(),
                    downtimeMs == null ? null : downtimeMs + " ms", totalMs == null ? null : seconds(totalMs),
                    result.toLowerCase(Locale.ROOT) + (reason == null || result.equals("COMPLETED") ? "" : " (" + reason + ")"),
                    decisions.isEmpty() ? "none" : briefly(decisions));
            ObjectNode m = migrations.addObject();
            m.put("migrationId", d.migrationId).put("vmId", d.vm.vmId()).put("from", d.vm.host()).put("to", d.to)
                    .put("dirtyRate", d.vm.dirtyRate()).put("result", result).put("passes", d.last == null ? 0 : d.last.path("pass").asLong());
            if (downtimeMs != null) {
                m.put("downtimeMs", downtimeMs);
            }
            if (totalMs != null) {
                m.put("totalTimeMs", totalMs);
            }
            if (reason != null) {
                m.put("reason", reason);
            }
            ArrayNode ds = m.putArray("decisions");
            decisions.forEach(ds::add);
        }
        t.print(out);
        long audit = auditRecords();
        out.println();
        out.println("audit records: " + audit + " (database " + database + (keep ? ", kept" : ", dropped at exit") + ")");
        out.println("logs: " + dir);
        if (json) {
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("migrations", drains.size());
            o.put("completed", completed);
            o.put("failed", failed);
            o.put("auditRecords", audit);
            o.put("drainedHost", drained);
            o.put("hosts", agents);
            o.put("vms", vms);
            o.put("database", database);
            o.put("workDir", dir.toString());
            o.set("details", migrations);
            out.flush();
            ApiCommands.printJson(out, o);
        }
        out.flush();
        return failed == 0 && completed == drains.size() ? 0 : 1;
    }

    // ---- the policy

    /** The policy flags as the API's JSON; without any policy flag, the demo's default (a bandwidth cap, auto-converge). */
    private JsonNode policyJson() {
        Set<OptionSpec> policyOptions = Set.copyOf(spec.mixins().get("policy").options());
        boolean anyFlag = spec.commandLine().getParseResult().matchedOptions().stream().anyMatch(policyOptions::contains);
        if (!anyFlag) {
            policy.maxBandwidth = DEFAULT_MAX_BANDWIDTH;
            policy.autoConverge = true;
        }
        return Json.mapper().valueToTree(policy.toPolicy());
    }

    // ---- waiting for the processes

    private String awaitLine(DemoProcesses.Child c, String prefix, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                for (String l : Files.readAllLines(c.log(), StandardCharsets.UTF_8)) {
                    if (l.startsWith(prefix)) {
                        return l.substring(prefix.length()).trim();
                    }
                }
            } catch (IOException e) {
                // not written yet
            }
            if (!c.alive()) {
                throw new DemoFailure(c.died());
            }
            Thread.sleep(200);
        }
        throw new DemoFailure(c.name() + " was not ready after " + timeout.toSeconds() + " s; the end of its log (" + c.log() + "):\n" + c.tail(25));
    }

    private void awaitApi(ApiClient client, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!coordinator.alive()) {
                throw new DemoFailure(coordinator.died());
            }
            try {
                client.get("/api/hosts");
                return;
            } catch (ApiClient.ApiError e) {
                last = e.describe();
            }
            Thread.sleep(300);
        }
        throw new DemoFailure("the coordinator's API did not answer within " + timeout.toSeconds() + " s (" + last + "); the end of its log ("
                + coordinator.log() + "):\n" + coordinator.tail(25));
    }

    private void awaitHosts(ApiClient client, List<String> hosts, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<String> missing = hosts;
        while (Instant.now().isBefore(deadline)) {
            checkAlive();
            JsonNode known = client.get("/api/hosts");
            List<String> up = new ArrayList<>();
            for (JsonNode h : known) {
                if (h.path("up").asBoolean()) {
                    up.add(h.path("hostId").asText());
                }
            }
            missing = hosts.stream().filter(h -> !up.contains(h)).toList();
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(300);
        }
        DemoProcesses.Child first = agentChildren.get(hosts.indexOf(missing.get(0)));
        throw new DemoFailure("not registered after " + timeout.toSeconds() + " s: " + String.join(", ", missing)
                + "; the end of " + first.name() + "'s log (" + first.log() + "):\n" + first.tail(25));
    }

    private void awaitVms(ApiClient client, List<DemoVm> wanted, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<DemoVm> missing = wanted;
        JsonNode reported = null;
        while (Instant.now().isBefore(deadline)) {
            checkAlive();
            processes.noteDescendants();
            JsonNode now = client.get("/api/vms");
            reported = now;
            missing = wanted.stream().filter(v -> {
                for (JsonNode r : now) {
                    if (r.path("vmId").asText().equals(v.vmId()) && r.path("hostId").asText().equals(v.host())
                            && r.path("state").asText().equals("running")) {
                        return false;
                    }
                }
                return true;
            }).toList();
            if (missing.isEmpty()) {
                return;
            }
            for (DemoVm v : missing) {
                String refused = refusal(client, v.vmId());
                if (refused != null) {
                    DemoProcesses.Child agent = agentChildren.get(Integer.parseInt(v.host().substring("host-".length())) - 1);
                    throw new DemoFailure("VM " + v.vmId() + " did not boot on " + v.host() + ": " + refused + "; the end of "
                            + agent.name() + "'s log (" + agent.log() + "):\n" + agent.tail(15));
                }
            }
            Thread.sleep(500);
        }
        throw new DemoFailure("VMs not running after " + timeout.toSeconds() + " s: "
                + String.join(", ", missing.stream().map(v -> v.vmId() + " on " + v.host()).toList()) + "; GET /api/vms: " + reported);
    }

    /**
     * QEMU runs before its guest does (SeaBIOS boots it from the disk image): a guest migrated before it is up
     * has dirtied nothing. The guest prints its banner on the serial console, which the agent logs in the VM's
     * instance directory (all under this demo's work directory).
     */
    private void awaitGuestsUp(List<DemoVm> wanted, Duration timeout) throws InterruptedException {
        String banner = io.drover.agent.guest.DirtyGuestImage.SERIAL_BANNER.strip();
        Instant deadline = Instant.now().plus(timeout);
        List<DemoVm> missing = wanted;
        while (Instant.now().isBefore(deadline)) {
            checkAlive();
            missing = missing.stream().filter(v -> {
                Path serial = dir.resolve("agents").resolve(v.host()).resolve("vms").resolve(v.vmId()).resolve("source").resolve("serial.log");
                try {
                    return !(Files.exists(serial) && Files.readString(serial, StandardCharsets.ISO_8859_1).contains(banner));
                } catch (IOException e) {
                    return true;
                }
            }).toList();
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new DemoFailure("guests not up after " + timeout.toSeconds() + " s (no " + banner + " on their serial console): "
                + String.join(", ", missing.stream().map(v -> v.vmId() + " on " + v.host()).toList()));
    }

    /** The error of a refused define-vm or start-vm of {@code vmId}, from the audit log; null if none. */
    private static String refusal(ApiClient client, String vmId) {
        try {
            JsonNode rows = client.get("/api/audit?vm=" + URLEncoder.encode(vmId, StandardCharsets.UTF_8)
                    + "&type=" + URLEncoder.encode(RecordTypes.COMMAND_RESULT, StandardCharsets.UTF_8));
            for (JsonNode r : rows) {
                JsonNode data = r.path("record").path("data");
                if (data.path("commandId").asText().startsWith("vm/") && !data.path("ok").asBoolean(true)) {
                    return data.path("command").asText() + " refused: " + data.path("error").asText();
                }
            }
        } catch (ApiClient.ApiError e) {
            // not decisive: keep waiting
        }
        return null;
    }

    private void checkAlive() {
        for (DemoProcesses.Child c : allChildren()) {
            if (!c.alive()) {
                throw new DemoFailure(c.died());
            }
        }
    }

    private List<DemoProcesses.Child> allChildren() {
        List<DemoProcesses.Child> l = new ArrayList<>();
        if (broker != null) l.add(broker);
        if (coordinator != null) l.add(coordinator);
        l.addAll(agentChildren);
        return l;
    }

    // ---- following the migrations

    private void follow(ApiClient client, List<Drain> drains) throws InterruptedException {
        boolean live = !json && System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        Map<String, String> printed = new LinkedHashMap<>();
        int drawn = 0;
        Instant deadline = Instant.now().plusSeconds(deadlineSeconds);
        while (true) {
            checkAlive();
            processes.noteDescendants();
            for (Drain d : drains) {
                if (!d.ended()) {
                    d.last = client.get("/api/migrations/" + d.migrationId);
                }
            }
            List<String> lines = drains.stream().map(DemoCommand::line).toList();
            if (live) {
                StringBuilder b = new StringBuilder();
                if (drawn > 0) {
                    b.append("\033[").append(drawn).append('A');
                }
                for (String l : lines) {
                    b.append("\r\033[2K").append(l).append('\n');
                }
                out.print(b);
                drawn = lines.size();
            } else {
                for (int i = 0; i < drains.size(); i++) {
                    String key = drains.get(i).migrationId;
                    String l = lines.get(i);
                    // A line per change of phase or pass (not per sample), so that logs stay readable.
                    String state = drains.get(i).phase() + "/" + (drains.get(i).last == null ? 0 : drains.get(i).last.path("pass").asLong());
                    if (!state.equals(printed.get(key))) {
                        out.println(l);
                        printed.put(key, state);
                    }
                }
            }
            out.flush();
            if (drains.stream().allMatch(Drain::ended)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                for (Drain d : drains) {
                    if (!d.ended()) {
                        try {
                            client.post("/api/migrations/" + d.migrationId + "/cancel",
                                    Json.mapper().createObjectNode().put("reason", "the demo's deadline of " + deadlineSeconds + " s passed"));
                        } catch (ApiClient.ApiError e) {
                            say("cannot cancel " + d.migrationId + ": " + e.describe());
                        }
                    }
                }
                throw new DemoFailure("the migrations did not end within --deadline " + deadlineSeconds + " s");
            }
            Thread.sleep(500);
        }
    }

    /** "vm-1  host-1 → host-2  MIGRATING  pass 3  remaining 12.0 MiB  rate 63.9 MiB/s". */
    static String line(Drain d) {
        StringBuilder b = new StringBuilder(String.format("%-6s %s → %s  %-10s", d.vm.vmId(), d.vm.host(), d.to, d.phase()));
        JsonNode p = d.last == null ? null : d.last.get("progress");
        long pass = d.last == null ? 0 : d.last.path("pass").asLong();
        b.append("  pass ").append(pass);
        if (p != null) {
            if (p.has("remaining")) {
                b.append("  remaining ").append(Sizes.bytes(p.get("remaining").asLong()));
            }
            if (p.has("transferRate")) {
                b.append("  rate ").append(Sizes.rate(p.get("transferRate").asDouble()));
            }
            if (p.has("cpuThrottlePercentage") && p.get("cpuThrottlePercentage").asLong() > 0) {
                b.append("  throttle ").append(p.get("cpuThrottlePercentage").asLong()).append('%');
            }
        }
        if (d.ended() && d.started != null) {
            String reason = ApiCommands.text(d.last, "reason");
            if (reason != null && !d.phase().equals("COMPLETED")) {
                b.append("  (").append(reason).append(')');
            }
        }
        return b.toString();
    }

    // ---- the summary

    /** The decisions the coordinator took: convergence steps, switches to post-copy, cancellations. */
    static List<String> decisions(JsonNode events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            String type = e.path("type").asText();
            JsonNode data = e.path("data");
            switch (type) {
                case "ConvergenceDecisionTaken" -> out.add(data.path("decision").asText("step").toLowerCase(Locale.ROOT).replace('_', '-')
                        + (data.has("newDowntimeLimitMs") ? " " + data.path("newDowntimeLimitMs").asLong() + "ms" : "")
                        + " @pass " + data.path("pass").asLong());
                case "PostcopySwitchRequested" -> out.add("post-copy");
                case "CancellationRequested" -> out.add("cancel");
                default -> {
                }
            }
        }
        return out;
    }

    /** "raise-downtime-limit x6 (to 210ms), post-copy": repeated kinds counted, with their last value. */
    static String briefly(List<String> decisions) {
        List<String> out = new ArrayList<>();
        String kind = null;
        String lastValue = null;
        int n = 0;
        for (String d : decisions) {
            String k = d.split(" ")[0];
            String v = d.contains(" @") && d.indexOf(' ') < d.indexOf(" @") ? d.substring(d.indexOf(' ') + 1, d.indexOf(" @")) : null;
            if (k.equals(kind)) {
                n++;
                lastValue = v;
                continue;
            }
            if (kind != null) {
                out.add(kind + (n > 1 ? " x" + n : "") + (lastValue == null ? "" : " (to " + lastValue + ")"));
            }
            kind = k;
            lastValue = v;
            n = 1;
        }
        if (kind != null) {
            out.add(kind + (n > 1 ? " x" + n : "") + (lastValue == null ? "" : " (to " + lastValue + ")"));
        }
        return String.join(", ", out);
    }

    /** From the request to the end (completed, failed or cancelled), per the journal. */
    static Long totalTimeMs(JsonNode events) {
        Instant start = null;
        Instant end = null;
        for (JsonNode e : events) {
            String type = e.path("type").asText();
            Instant t;
            try {
                t = Instant.parse(e.path("time").asText());
            } catch (RuntimeException ex) {
                continue;
            }
            if (type.equals("MigrationRequested")) {
                start = t;
            } else if (type.equals("MigrationCompleted") || type.equals("MigrationFailed") || type.equals("MigrationCancelled")) {
                end = t;
            }
        }
        return start == null || end == null ? null : Duration.between(start, end).toMillis();
    }

    /** QEMU's downtime, from the source's outcome record in the audit log (it may take a moment to be written). */
    private Long downtimeMs(ApiClient client, String migrationId) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            try {
                JsonNode rows = client.get("/api/audit?migration=" + URLEncoder.encode(migrationId, StandardCharsets.UTF_8)
                        + "&type=" + URLEncoder.encode(RecordTypes.MIGRATION_OUTCOME, StandardCharsets.UTF_8));
                for (JsonNode r : rows) {
                    JsonNode data = r.path("record").path("data");
                    if (data.hasNonNull("downtimeMs")) {
                        return data.get("downtimeMs").asLong();
                    }
                    if (data.has("status")) {
                        return null; // an outcome without downtime: it did not complete
                    }
                }
            } catch (ApiClient.ApiError e) {
                return null;
            }
            Thread.sleep(300);
        }
        return null;
    }

    /** The audit log's size once the writer has caught up (no change for a second). */
    private long auditRecords() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 20; i++) {
            long n = count();
            if (n == last) {
                return n;
            }
            last = n;
            Thread.sleep(1000);
        }
        return last;
    }

    private long count() {
        try (Connection c = DriverManager.getConnection(dbServer + database, "postgres", "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_log")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new DemoFailure("cannot count the audit records in " + database + ": " + e.getMessage());
        }
    }

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    // ---- the database and cleaning up

    private void createDatabase() {
        try (Connection c = DriverManager.getConnection(dbServer + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            database = null;
            throw new DemoFailure("cannot create the demo's database on " + dbServer + " (is PostgreSQL running, with trust auth for postgres?): "
                    + e.getMessage());
        }
    }

    private void dropDatabase() {
        try (Connection c = DriverManager.getConnection(dbServer + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("drover demo: cannot drop database " + database + ": " + e.getMessage());
        }
    }

    /** Agents first (their VMs next), then the coordinator, then the broker; then the database. Runs once. */
    private void cleanUp() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        processes.noteDescendants();
        for (DemoProcesses.Child a : agentChildren) {
            processes.stop(a, 15_000);
        }
        int qemus = processes.stopDescendants(10_000) + stopQemus();
        if (coordinator != null) {
            processes.stop(coordinator, 30_000);
        }
        if (broker != null) {
            processes.stop(broker, 30_000);
        }
        if (database != null && !keep) {
            dropDatabase();
        }
        System.err.println("drover demo: stopped " + agentChildren.size() + " agent(s), " + qemus + " QEMU(s)"
                + (coordinator != null ? ", the coordinator" : "") + (broker != null ? ", the Kafka broker" : "")
                + (database == null ? "" : keep ? "; kept database " + database : "; dropped database " + database));
    }

    /** Stops every QEMU still running under the agents' data directories (they run in sessions of their own). */
    private int stopQemus() {
        Path agentsDir = dir == null ? null : dir.resolve("agents");
        if (agentsDir == null || !Files.isDirectory(agentsDir)) {
            return 0;
        }
        int n = 0;
        try (var walk = Files.walk(agentsDir, 4)) {
            for (Path inst : walk.filter(Files::isDirectory).toList()) {
                try {
                    io.drover.agent.qemu.QemuProcess p = io.drover.agent.qemu.QemuProcess.reattach(inst);
                    if (p.isAlive()) {
                        p.stop(Duration.ofSeconds(5));
                        n++;
                    }
                } catch (RuntimeException e) {
                    // not an instance directory, or its QEMU is gone
                }
            }
        } catch (IOException e) {
            System.err.println("drover demo: cannot look for QEMUs under " + agentsDir + ": " + e.getMessage());
        }
        return n;
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }
}
