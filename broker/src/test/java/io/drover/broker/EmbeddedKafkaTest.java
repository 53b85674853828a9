package io.drover.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real in-process KRaft brokers. One broker is shared by the tests that need just one. */
class EmbeddedKafkaTest {

    /**
     * Kafka's default group.initial.rebalance.delay.ms. A first join faster than this shows that
     * our setting of 0 is in force.
     */
    private static final Duration DEFAULT_REBALANCE_DELAY = Duration.ofSeconds(3);

    private static final List<String> EVENTS = List.of("planned", "started", "converged", "completed");

    @TempDir
    static Path sharedDir;

    private static EmbeddedKafka shared;

    @BeforeAll
    static void startSharedBroker() {
        long began = System.nanoTime();
        shared = EmbeddedKafka.start(sharedDir.resolve("kafka"));
        System.out.printf("shared broker started in %d ms%n", (System.nanoTime() - began) / 1_000_000);
    }

    @AfterAll
    static void stopSharedBroker() {
        shared.close();
    }

    @Test
    void bootstrapServersIsLoopbackWithPort() {
        assertTrue(shared.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), shared.bootstrapServers());
    }

    @Test
    void idempotentProducerAndConsumerGroupRoundTrip() {
        shared.createTopic("round-trip", 1);
        TestClients.produce(shared.bootstrapServers(), "round-trip", EVENTS);

        TestClients.Consumed consumed =
                TestClients.consume(shared.bootstrapServers(), "round-trip", "round-trip-group", EVENTS.size());

        assertEquals(EVENTS, consumed.values());
        System.out.println("first consumer-group join took " + consumed.groupJoin().toMillis() + " ms");
        assertTrue(consumed.groupJoin().compareTo(DEFAULT_REBALANCE_DELAY) < 0,
                "group join took " + consumed.groupJoin());
    }

    @Test
    void autoCreatedTopicWorksWithoutCreateTopic() {
        TestClients.produce(shared.bootstrapServers(), "auto-created", List.of("one"));

        assertEquals(List.of("one"),
                TestClients.consume(shared.bootstrapServers(), "auto-created", "auto-group", 1).values());
    }

    @Test
    void createTopicIsIdempotent() throws Exception {
        shared.createTopic("idempotent", 3);
        shared.createTopic("idempotent", 3);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, shared.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of("idempotent")).allTopicNames().get()
                    .get("idempotent").partitions().size();
            assertEquals(3, partitions);
        }
    }

    @Test
    void createTopicRejectsAnExistingTopicWithOtherPartitionCount() {
        shared.createTopic("three-partitions", 3);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> shared.createTopic("three-partitions", 2));
        assertTrue(e.getMessage().contains("3 partitions"), e.getMessage());
    }

    @Test
    void twoMoreBrokersRunAtOnceOnDifferentPorts(@TempDir Path dir) {
        try (EmbeddedKafka first = EmbeddedKafka.start(dir.resolve("first"));
                EmbeddedKafka second = EmbeddedKafka.start(dir.resolve("second"))) {
            assertNotEquals(first.bootstrapServers(), second.bootstrapServers());
            TestClients.produce(first.bootstrapServers(), "events", List.of("on-first"));
            TestClients.produce(second.bootstrapServers(), "events", List.of("on-second"));

            assertEquals(List.of("on-first"),
                    TestClients.consume(first.bootstrapServers(), "events", "g", 1).values());
            assertEquals(List.of("on-second"),
                    TestClients.consume(second.bootstrapServers(), "events", "g", 1).values());
        }
    }

    @Test
    void portTakenByAnotherSocketFailsWithThePortNamed(@TempDir Path dir) throws IOException {
        try (ServerSocket occupier = bindLoopback()) {
            int port = occupier.getLocalPort();

            BrokerStartException e = assertThrows(BrokerStartException.class,
                    () -> EmbeddedKafka.start(dir, port));

            assertEquals("port " + port + " on 127.0.0.1 is in use", e.getMessage());
        }
    }

    @Test
    void clashInsideKafkaFailsTheCallerAndLeavesNothingRunning(@TempDir Path dir) throws IOException {
        try (ServerSocket occupier = bindLoopback()) {
            int controllerPort = occupier.getLocalPort();

            BrokerStartException e = assertThrows(BrokerStartException.class,
                    () -> EmbeddedKafka.start(dir, Ports.freePort(), controllerPort));

            assertTrue(e.getMessage().contains("controller port " + controllerPort + ")"), e.getMessage());
            System.out.println("clash inside Kafka: " + e.getMessage());
        }
        // The failed broker released its data directory and ports: the same directory starts.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            kafka.createTopic("after-failure", 1);
        }
    }

    @Test
    void portTakenByARunningBrokerFailsAndTheJvmAndBrokerCarryOn(@TempDir Path dir) {
        int port = Integer.parseInt(shared.bootstrapServers().split(":")[1]);

        BrokerStartException e = assertThrows(BrokerStartException.class,
                () -> EmbeddedKafka.start(dir, port));

        assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
        // Still here, so the JVM survived; the broker that holds the port still serves.
        TestClients.produce(shared.bootstrapServers(), "after-clash", List.of("alive"));
        assertEquals(List.of("alive"),
                TestClients.consume(shared.bootstrapServers(), "after-clash", "g", 1).values());
    }

    @Test
    void restartOnTheSameDataDirKeepsTopicsAndRecords(@TempDir Path dir) {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            kafka.createTopic("durable", 2);
            TestClients.produce(kafka.bootstrapServers(), "durable", EVENTS);
        }

        long began = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            System.out.printf("restart took %d ms%n", (System.nanoTime() - began) / 1_000_000);
            kafka.createTopic("durable", 2);
            List<String> values = TestClients.consume(kafka.bootstrapServers(), "durable", "g", EVENTS.size()).values();
            assertEquals(EVENTS.size(), values.size(), values.toString());
            assertTrue(values.containsAll(EVENTS), values.toString());
        }
    }

    @Test
    void closeIsIdempotent(@TempDir Path dir) {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        kafka.close();
        kafka.close();

        assertThrows(IllegalStateException.class, () -> kafka.createTopic("late", 1));
    }

    private static ServerSocket bindLoopback() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }
}
