package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.service.AgentConfig;
import io.drover.agent.service.AgentService;
import io.drover.broker.EmbeddedKafka;
import io.drover.coordinator.Coordinator;
import io.drover.coordinator.api.HttpApi;
import io.drover.coordinator.audit.AuditLogWriter;
import io.drover.coordinator.infra.AgentInbox;
import io.drover.coordinator.infra.KafkaAgentGateway;
import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordDeserializer;
import io.drover.events.Json;
import io.drover.events.MigrationPolicy;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The real thing for the end-to-end tests: a Kafka broker, a database of its own on the local PostgreSQL,
 * a coordinator (in this JVM or as a child process) and agents (in this JVM or as child processes), all on a
 * temporary directory; {@link #close()} stops every process and kills every QEMU it started, then drops the
 * database.
 */
final class E2eCluster implements AutoCloseable {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final int MEMORY_MIB = 64;

    final Path dir;
    final String db;
    final EmbeddedKafka kafka;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closers = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, DroverRecord<?>> results;
    private final List<CommandResult> seenResults = new ArrayList<>();
    ApiClient api;

    E2eCluster(Path dir) throws Exception {
        this.dir = dir;
        this.db = "drover_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        EmbeddedKafka k;
        try {
            k = EmbeddedKafka.start(dir.resolve("kafka"));
            for (String t : List.of(Topics.AGENT_COMMANDS, Topics.AGENT_RESULTS, Topics.AGENT_EVENTS, Topics.HOSTS)) {
                k.createTopic(t, 1);
            }
        } catch (RuntimeException e) {
            dropDatabase();
            throw e;
        }
        this.kafka = k;
    }

    String dbUrl() {
        return SERVER + db;
    }

    // ------------------------------------------------------------------ the coordinator

    /** A coordinator in this JVM, as {@code drover coordinator} runs it: gateway, inbox, audit writer, API. */
    void coordinatorInJvm() {
        KafkaAgentGateway gateway = new KafkaAgentGateway(kafka.bootstrapServers(), Clock.systemUTC());
        Coordinator coordinator = Coordinator.start(Coordinator.config(Map.of(
                "drover.db.url", dbUrl(), "drover.db.user", "postgres", "drover.db.password", "",
                "pekko.remote.artery.canonical.port", 0, "pekko.loglevel", "WARNING",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on")), gateway);
        AgentInbox inbox = AgentInbox.start(kafka.bootstrapServers(), coordinator);
        AuditLogWriter audit = new AuditLogWriter(kafka.bootstrapServers(), coordinator.database());
        Thread t = new Thread(audit, "e2e-audit-writer");
        t.setDaemon(true);
        t.start();
        HttpApi http = coordinator.startApi("127.0.0.1", 0);
        // Closed in reverse order.
        closers.add(gateway);
        closers.add(() -> coordinator.stop(Duration.ofSeconds(30)));
        closers.add(inbox);
        closers.add(audit);
        closers.add(http);
        api = new ApiClient("http://127.0.0.1:" + http.port());
    }

    /** {@code drover coordinator} as a child process on this cluster's Kafka and database; waits for its API. */
    Process coordinatorProcess(int httpPort, String name) throws Exception {
        Process p = java(name, List.of("coordinator", "--kafka", kafka.bootstrapServers(), "--db-url", dbUrl(),
                "--http-port", Integer.toString(httpPort), "--cluster-port", "0"), List.of());
        api = new ApiClient("http://127.0.0.1:" + httpPort);
        await(Duration.ofSeconds(60), "the coordinator's API (" + name + ")", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("coordinator " + name + " exited " + p.exitValue() + ": " + log(name));
            }
            try {
                api.get("/api/hosts");
                return true;
            } catch (ApiClient.ApiError e) {
                return false;
            }
        });
        return p;
    }

    /** A child JVM running {@code drover args}, on this JVM's class path, its output in {@code <dir>/<name>.log}. */
    Process java(String name, List<String> args, List<String> jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Drover.class.getName());
        cmd.addAll(args);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    String log(String name) {
        try {
            String s = Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    // ------------------------------------------------------------------ agents

    Path dataDir(String hostId) {
        Path d = dir.resolve("agents").resolve(hostId);
        if (!dataDirs.contains(d)) {
            dataDirs.add(d);
        }
        return d;
    }

    /** An agent in this JVM, heartbeating every second. */
    AgentService agentInJvm(String hostId) {
        AgentService a = AgentService.start(AgentConfig.of(hostId, kafka.bootstrapServers(), dataDir(hostId), Accel.detect())
                .withHeartbeatInterval(Duration.ofSeconds(1)), l -> lines.add(hostId + ": " + l));
        closers.add(a);
        return a;
    }

    /** {@code drover agent} as a child process; waits until it has registered. */
    Process agentProcess(String hostId, String name) throws Exception {
        Process p = java(name, List.of("agent", "--host-id", hostId, "--kafka", kafka.bootstrapServers(),
                "--data-dir", dataDir(hostId).toString(), "--heartbeat-interval", "1000"), List.of());
        await(Duration.ofSeconds(60), "agent " + name + " to register", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("agent " + name + " exited " + p.exitValue() + ": " + log(name));
            }
            return log(name).contains("registered host " + hostId);
        });
        return p;
    }

    // ------------------------------------------------------------------ commands, as the coordinator sends them

    /** Sends {@code c} on drover.agent.commands as the coordinator does and waits for its result. */
    CommandResult command(AgentCommand c) throws Exception {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        DroverRecord<AgentCommand> r = DroverRecord.create(RecordTypes.AGENT_COMMAND, "drover://coordinator", c.vmId(),
                Instant.now(), c);
        producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, c.hostId(), Json.mapper().writeValueAsBytes(r))).get();
        CommandResult[] found = new CommandResult[1];
        await(Duration.ofSeconds(60), "the result of " + c, () -> {
            found[0] = results().stream().filter(x -> x.commandId().equals(c.commandId())).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    /** Every command result on drover.agent.results so far. */
    synchronized List<CommandResult> results() {
        if (results == null) {
            results = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new DroverRecordDeserializer());
            TopicPartition tp = new TopicPartition(Topics.AGENT_RESULTS, 0);
            results.assign(List.of(tp));
            results.seekToBeginning(List.of(tp));
        }
        for (ConsumerRecord<String, DroverRecord<?>> r : results.poll(Duration.ofMillis(200))) {
            if (r.value() != null && r.value().data() instanceof CommandResult cr) {
                seenResults.add(cr);
            }
        }
        return List.copyOf(seenResults);
    }

    /** Defines and starts the dirtying guest on {@code hostId}, then waits for it to print its banner and be listed by the API. */
    void startVm(String hostId, String vmId, long dirtyRate) throws Exception {
        CommandResult defined = command(new AgentCommand.DefineVm("e2e/" + vmId + "/define", hostId, vmId, MEMORY_MIB, 1, dirtyRate));
        if (!defined.ok()) throw new AssertionError(defined.toString());
        CommandResult started = command(new AgentCommand.StartVm("e2e/" + vmId + "/start", hostId, vmId));
        if (!started.ok()) throw new AssertionError(started.toString());
        Path serial = QemuProcess.reattach(dataDir(hostId).resolve("vms").resolve(vmId).resolve("source")).serialLog();
        await(Duration.ofSeconds(60), "the guest's banner", () -> {
            try {
                return Files.exists(serial) && Files.readString(serial, StandardCharsets.ISO_8859_1).contains(DirtyGuestImage.SERIAL_BANNER);
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until the API lists {@code vmId} on {@code hostId} and both hosts are up. */
    void awaitVmListed(String vmId, String hostId, String... up) {
        await(Duration.ofSeconds(60), "VM " + vmId + " listed on " + hostId, () -> {
            try {
                boolean listed = false;
                for (JsonNode v : api.get("/api/vms")) {
                    listed |= v.path("vmId").asText().equals(vmId) && v.path("hostId").asText().equals(hostId);
                }
                int n = 0;
                for (JsonNode h : api.get("/api/hosts")) {
                    for (String u : up) {
                        if (h.path("hostId").asText().equals(u) && h.path("up").asBoolean()) n++;
                    }
                }
                return listed && n == up.length;
            } catch (ApiClient.ApiError e) {
                return false;
            }
        });
    }

    /** POST /api/migrations; the new migration's id. */
    String migrate(String vmId, String to, MigrationPolicy policy) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("vmId", vmId);
        body.put("to", to);
        body.set("policy", Json.mapper().valueToTree(policy));
        JsonNode created = api.post("/api/migrations", body);
        return created.path("migrationId").asText();
    }

    /** Polls GET /api/migrations/{id} until its phase is terminal; the last summary. */
    JsonNode awaitEnded(String migrationId, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await(timeout, () -> "migration " + migrationId + " to end; last " + last[0] + "; events " + events(migrationId)
                + "\nagent lines " + lines, () -> {
            try {
                last[0] = api.get("/api/migrations/" + migrationId);
            } catch (ApiClient.ApiError e) {
                return false;
            }
            return List.of("COMPLETED", "FAILED", "CANCELLED").contains(last[0].path("phase").asText());
        });
        return last[0];
    }

    private String events(String migrationId) {
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode e : api.get("/api/migrations/" + migrationId + "/events")) {
                out.add(e.path("type").asText() + (e.hasNonNull("reason") ? "(" + e.path("reason").asText() + ")" : ""));
            }
            return out.toString();
        } catch (RuntimeException e) {
            return "(" + e + ")";
        }
    }

    /** Polls until the migration's phase is {@code phase} (or has gone past it: fails then). */
    void awaitPhase(String migrationId, String phase, Duration timeout) {
        await(timeout, "migration " + migrationId + " in " + phase, () -> {
            try {
                String p = api.get("/api/migrations/" + migrationId).path("phase").asText();
                if (List.of("COMPLETED", "FAILED", "CANCELLED").contains(p)) {
                    throw new AssertionError("migration " + migrationId + " ended (" + p + ") before reaching " + phase);
                }
                return p.equals(phase);
            } catch (ApiClient.ApiError e) {
                return false;
            }
        });
    }

    // ------------------------------------------------------------------ QEMUs

    /** The hosts (data directories' names) where a QEMU of {@code vmId} is alive. */
    List<String> hostsRunning(String vmId) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path d : dataDirs) {
            for (QemuProcess q : qemus(d)) {
                if (q.vmId().equals(vmId) && q.isAlive()) {
                    out.add(d.getFileName().toString());
                }
            }
        }
        return out;
    }

    static List<QemuProcess> qemus(Path dataDir) throws IOException {
        List<QemuProcess> out = new ArrayList<>();
        if (!Files.isDirectory(dataDir)) return out;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path meta : files.filter(f -> f.getFileName().toString().equals("instance.properties")).toList()) {
                try {
                    out.add(QemuProcess.reattach(meta.getParent()));
                } catch (RuntimeException e) {
                    // not an instance
                }
            }
        }
        return out;
    }

    static void await(Duration timeout, String what, BooleanSupplier done) {
        await(timeout, () -> what, done);
    }

    /** Polls {@code done} every 100 ms; {@code what} describes it when the time is up. */
    static void await(Duration timeout, java.util.function.Supplier<String> what, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get());
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
    }

    // ------------------------------------------------------------------ clean-up

    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).close();
            } catch (Exception e) {
                System.err.println("e2e clean-up: " + e);
            }
        }
        if (producer != null) producer.close();
        synchronized (this) {
            if (results != null) results.close();
        }
        for (Path d : dataDirs) {
            try {
                for (QemuProcess q : qemus(d)) {
                    q.kill();
                }
            } catch (Exception e) {
                System.err.println("e2e clean-up of QEMUs under " + d + ": " + e);
            }
        }
        try {
            kafka.close();
        } catch (RuntimeException e) {
            System.err.println("e2e clean-up of Kafka: " + e);
        }
        dropDatabase();
    }

    private void dropDatabase() {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        } catch (Exception e) {
            System.err.println("e2e: cannot drop database " + db + ": " + e);
        }
    }
}
