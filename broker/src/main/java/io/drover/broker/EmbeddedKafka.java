package io.drover.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller in one) running inside this JVM,
 * listening on 127.0.0.1 only.
 *
 * <p>Typical use in a test:
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(tempDir)) {
 *     kafka.createTopic("migrations", 3);
 *     // connect clients to kafka.bootstrapServers()
 * }
 * }</pre>
 *
 * <p>The data directory holds all topic data and the cluster metadata; starting again on the same
 * directory brings back every topic and record. Several brokers may run in one JVM at once, each
 * with its own data directory. A failure to start never ends the JVM: Kafka's requests to exit or
 * halt are refused while any in-process broker runs (see {@link ExitGuard}).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** A single node has no other replica to place. */
    private static final short REPLICATION_FACTOR = 1;

    /** Admin calls normally take milliseconds; this only bounds a hung broker on a busy machine. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker on a free port of 127.0.0.1 and returns once it accepts clients.
     *
     * @param dataDir directory for topic data and cluster metadata; created and formatted if new
     * @throws BrokerStartException if the broker cannot start
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, Ports.freePort());
    }

    /**
     * Starts a broker on the given port of 127.0.0.1 and returns once it accepts clients.
     *
     * @param dataDir directory for topic data and cluster metadata; created and formatted if new
     * @param port the client port; the controller listens on another, free port
     * @throws BrokerStartException if the broker cannot start, for example when {@code port} is in
     *     use (the message then names the port); the JVM keeps running in every case
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, Ports.freePortOtherThan(port));
    }

    /** Visible for testing: a clash on the controller port gets past the client-port check. */
    static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long began = System.nanoTime();
        Ports.requireFree(port);
        Path logDir = dataDir.toAbsolutePath();
        StorageFormat.formatIfNeeded(logDir);
        KafkaConfig config = new KafkaConfig(BrokerSettings.of(logDir, port, controllerPort), false);
        String bootstrapServers = Ports.LOOPBACK + ":" + port;

        ExitGuard.acquire();
        try {
            KafkaRaftServer server = startServer(config,
                    "Kafka broker on " + bootstrapServers + " (controller port " + controllerPort + ")");
            LOG.info("Kafka broker ready at {} in {} ms (data in {})",
                    bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), logDir);
            return new EmbeddedKafka(server, bootstrapServers);
        } catch (RuntimeException e) {
            ExitGuard.release();
            throw e;
        }
    }

    private static KafkaRaftServer startServer(KafkaConfig config, String description) {
        KafkaRaftServer server = null;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return server;
        } catch (RuntimeException e) {
            BrokerStartException failure = new BrokerStartException(
                    description + " failed to start (Kafka's log has the details): " + e.getMessage(), e);
            if (server != null) {
                // A failed startup() does not undo what it had started (controller, raft, sockets).
                try {
                    stop(server);
                } catch (RuntimeException suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
            throw failure;
        }
    }

    /** Returns the address clients connect to, {@code "127.0.0.1:PORT"}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates a topic with replication factor 1, or does nothing if it exists already with the
     * same number of partitions.
     *
     * @throws IllegalStateException if the topic exists with another number of partitions, or
     *     the broker does not answer in time
     */
    public void createTopic(String name, int partitions) {
        if (closed.get()) {
            throw new IllegalStateException("broker at " + bootstrapServers + " is closed");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            try {
                await(admin.createTopics(List.of(new NewTopic(name, partitions, REPLICATION_FACTOR))).all(),
                        "create topic " + name);
            } catch (TopicExistsException e) {
                TopicDescription existing = await(admin.describeTopics(List.of(name)).topicNameValues().get(name),
                        "describe topic " + name);
                if (existing.partitions().size() != partitions) {
                    throw new IllegalStateException("topic " + name + " exists with "
                            + existing.partitions().size() + " partitions, not " + partitions, e);
                }
            }
        }
    }

    /** Waits for an admin result; Kafka's own errors are rethrown unwrapped. */
    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("cannot " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " within " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }

    /** Shuts the broker down cleanly, flushing its logs; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long began = System.nanoTime();
        try {
            stop(server);
        } finally {
            ExitGuard.release();
        }
        LOG.info("Kafka broker at {} stopped in {} ms",
                bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }
}
