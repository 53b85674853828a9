package io.drover.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.broker.EmbeddedKafka;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.host.Liveness;
import io.drover.coordinator.infra.AgentInbox;
import io.drover.coordinator.infra.KafkaAgentGateway;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.coordinator.migration.Phase;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordSerializer;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationStatus;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole loop over a real Kafka and the real PostgreSQL: the coordinator sends its commands to
 * drover.agent.commands, a scripted agent answers on drover.agent.results and drover.agent.events, and the
 * inbox routes the answers back to the entity, which runs the migration to completed.
 */
class CoordinatorKafkaTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final Duration ASK = Duration.ofSeconds(20);
    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        db = "drover_coordk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        for (String t : List.of(Topics.AGENT_COMMANDS, Topics.AGENT_RESULTS, Topics.AGENT_EVENTS, Topics.HOSTS)) {
            kafka.createTopic(t, 1);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    static <T> T get(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aMigrationRunsToCompletedThroughKafka() throws Exception {
        KafkaAgentGateway gateway = new KafkaAgentGateway(kafka.bootstrapServers(), Clock.systemUTC());
        Coordinator coordinator = Coordinator.start(CoordinatorPostgresTest.configFor(db), gateway);
        AgentInbox inbox = AgentInbox.start(kafka.bootstrapServers(), coordinator);
        ScriptedAgent agent = new ScriptedAgent(kafka.bootstrapServers());
        try {
            HostStatus reg = new HostStatus("kvm-1", "7.2.22", "7.2", "kvm", 8192, 4, List.of(), 0, Instant.parse("2026-11-21T19:00:00Z"));
            agent.publish(Topics.HOSTS, "kvm-1", DroverRecord.create(RecordTypes.HOST_REGISTERED, DroverRecord.hostSource("kvm-1"), "kvm-1", Instant.now(), reg));

            String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
            CoordinatorPolicy policy = CoordinatorPolicy.of(MigrationPolicy.defaults());
            assertEquals(Phase.PREPARING, get(coordinator.migration(id).<MigrationSummary>askWithStatus(
                    r -> new MigrationCommand.Create("vm-42", "kvm-1", "kvm-2", 512, 1, policy, r), ASK)).phase());

            List<AgentCommand> seen = agent.runUntilRetired(Duration.ofSeconds(40));
            assertEquals(List.of(AgentCommand.PrepareIncoming.class, AgentCommand.StartMigration.class, AgentCommand.DestinationReady.class,
                    AgentCommand.QueryMigration.class, AgentCommand.RetireVm.class), seen.stream().map(Object::getClass).toList());
            assertNull(((AgentCommand.StartMigration) seen.get(1)).uri(), "the source is armed before the destination listens");
            assertEquals("tcp:127.0.0.1:49152", ((AgentCommand.DestinationReady) seen.get(2)).uri(), "the uri the destination gave");

            MigrationSummary done = get(coordinator.migration(id).<MigrationSummary>askWithStatus(MigrationCommand.Get::new, ASK));
            assertEquals(Phase.COMPLETED, done.phase());
            HostSummary h = get(coordinator.host("kvm-1").<HostSummary>askWithStatus(HostCommand.Get::new, ASK));
            assertEquals(Liveness.UP, h.liveness());

            // Its decisions, on drover.coordinator.decisions as the read model's projection publishes them.
            // The scripted agent answers the retirement too: the entity records that (CleanUpAnswered), and publishes it.
            List<io.drover.events.CoordinatorDecision> decisions = decisionsOf(id, "CleanUpAnswered", Duration.ofSeconds(30));
            assertEquals(List.of("MigrationRequested", "DestinationPrepared", "MigrateIssued", "SourceStarted", "SwitchoverCompleted",
                    "MigrationCompleted", "CleanUpAnswered"), decisions.stream().map(io.drover.events.CoordinatorDecision::event).toList());
            assertEquals("migration/" + id + "/retire-source", decisions.get(6).details().path("commandId").asText(), decisions.get(6).toString());
            assertEquals("kvm-2", decisions.get(0).destinationHost());
            assertEquals("PREPARING", decisions.get(0).newPhase());
        } finally {
            agent.close();
            inbox.close();
            coordinator.stop(Duration.ofSeconds(30));
            gateway.close();
        }
    }

    /** The decisions of {@code migrationId} read off their topic, until one of them is {@code last}. */
    static List<io.drover.events.CoordinatorDecision> decisionsOf(String migrationId, String last, Duration within) {
        List<io.drover.events.CoordinatorDecision> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "decisions-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.COORDINATOR_DECISIONS));
            io.drover.events.DroverRecordDeserializer read = new io.drover.events.DroverRecordDeserializer();
            long deadline = System.nanoTime() + within.toNanos();
            while (out.stream().noneMatch(d -> d.event().equals(last))) {
                assertTrue(System.nanoTime() < deadline, "no " + last + " of " + migrationId + " within " + within + ": " + out);
                for (var r : c.poll(Duration.ofMillis(200))) {
                    DroverRecord<?> rec = read.deserialize(r.topic(), r.value());
                    assertEquals(rec.subject(), r.key(), "keyed by VM id");
                    if (rec.data() instanceof io.drover.events.CoordinatorDecision d && d.migrationId().equals(migrationId)) {
                        out.add(d);
                    }
                }
            }
        }
        return out;
    }

    /** Answers each command as a well-behaved agent would, until the source is retired. */
    static final class ScriptedAgent implements AutoCloseable {
        final KafkaConsumer<String, byte[]> commands;
        final KafkaProducer<String, DroverRecord<?>> producer;

        ScriptedAgent(String bootstrap) {
            commands = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "scripted-agent", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            commands.subscribe(List.of(Topics.AGENT_COMMANDS));
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(), new DroverRecordSerializer());
        }

        void publish(String topic, String key, DroverRecord<?> r) throws Exception {
            producer.send(new ProducerRecord<>(topic, key, r)).get();
        }

        void result(AgentCommand c, String kind, String dataJson) throws Exception {
            JsonNode data = Json.mapper().readTree(dataJson);
            CommandResult r = new CommandResult(c.commandId(), c.hostId(), c.vmId(), kind, true, null, data, false);
            publish(Topics.AGENT_RESULTS, c.hostId(), DroverRecord.create(RecordTypes.COMMAND_RESULT,
                    DroverRecord.hostSource(c.hostId()), c.vmId(), Instant.now(), r));
        }

        List<AgentCommand> runUntilRetired(Duration timeout) throws Exception {
            List<AgentCommand> seen = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : commands.poll(Duration.ofMillis(200))) {
                    DroverRecord<?> r = Json.mapper().readValue(rec.value(), DroverRecord.class);
                    AgentCommand c = (AgentCommand) r.data();
                    assertEquals(c.hostId(), rec.key(), "commands are keyed by host id");
                    seen.add(c);
                    if (c instanceof AgentCommand.PrepareIncoming p) {
                        result(p, "prepare-incoming", "{\"uri\":\"tcp:127.0.0.1:49152\",\"pid\":1}");
                    } else if (c instanceof AgentCommand.StartMigration s) {
                        // Armed, as an agent answers a start-migration without a uri; this one hands nothing over, so
                        // the coordinator's own destination-ready is what starts the migration.
                        result(s, "start-migration", "{\"migrationId\":\"" + s.migrationId() + "\",\"armed\":true}");
                    } else if (c instanceof AgentCommand.DestinationReady s) {
                        result(s, "destination-ready", "{\"migrationId\":\"" + s.migrationId() + "\",\"migrateIssued\":true}");
                        MigrationOutcome o = new MigrationOutcome(s.migrationId(), s.vmId(), MigrationStatus.COMPLETED, 2, 900L,
                                25L, 1L << 29, "tcg", List.of(), null);
                        publish(Topics.AGENT_EVENTS, s.vmId(), DroverRecord.create(RecordTypes.MIGRATION_OUTCOME,
                                DroverRecord.hostSource(s.hostId()), s.vmId(), Instant.now(), o));
                    } else if (c instanceof AgentCommand.QueryMigration q) {
                        result(q, "query-migration", "{\"vmState\":\"running\"}");
                    } else if (c instanceof AgentCommand.RetireVm retire) {
                        result(retire, "retire-vm", "{\"retired\":true}");
                        return seen;
                    }
                }
            }
            fail("the source was not retired within " + timeout + "; commands seen: " + seen);
            return seen;
        }

        @Override
        public void close() {
            commands.close();
            producer.close();
        }
    }
}
