package io.drover.agent.kafka;

import io.drover.agent.engine.MigrationListener;
import io.drover.agent.engine.Side;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEvent;
import io.drover.agent.qmp.Subscription;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordSerializer;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationRole;
import io.drover.events.MigrationSample;
import io.drover.events.QmpEventData;
import io.drover.events.QmpEventPayload;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes what an agent sees to Kafka: every QMP event of every QEMU it is attached to, and
 * each migration's {@code query-migrate} samples and outcome. Records are keyed by VM id, so one
 * VM's records stay in one partition in the order they were sent; the producer is idempotent
 * ({@code enable.idempotence}, {@code acks=all}), so a retry never duplicates or reorders them.
 */
public final class AgentPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentPublisher.class);
    /**
     * Sends at once (Kafka 4's default is 5 ms): the coordinator acts on some of these records (a migration's
     * outcome, its samples), and a few records a second need no batching; while a request is in flight the
     * producer batches what queues behind it anyway.
     */
    public static final int LINGER_MS = 0;
    /** How long close() waits for records still in flight. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, DroverRecord<?>> producer;
    private final String source;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> lastError = new AtomicReference<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public AgentPublisher(String bootstrapServers, String hostId) {
        this(bootstrapServers, hostId, Topics.AGENT_EVENTS);
    }

    public AgentPublisher(String bootstrapServers, String hostId, String topic) {
        this.source = DroverRecord.hostSource(hostId);
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
                ProducerConfig.CLIENT_ID_CONFIG, "drover-agent-" + hostId),
                new StringSerializer(), new DroverRecordSerializer());
    }

    /** This machine's host name, the default host id. */
    public static String defaultHostId() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    public String topic() {
        return topic;
    }

    /**
     * Publishes every QMP event of {@code qmp} from now on, as records about {@code vmId}. The
     * QMP client calls listeners in the order QEMU sent the events, and send() keeps that order.
     */
    public Subscription attach(String vmId, String instance, QmpClient qmp) {
        Subscription s = qmp.subscribe(e -> true, e -> publishEvent(vmId, instance, e));
        subscriptions.add(s);
        return s;
    }

    /** Publishes the event as an {@code io.drover.qmp.<EVENT>} record. */
    public void publishEvent(String vmId, String instance, QmpEvent e) {
        QmpEventData data = new QmpEventData(e.name(), e.timestamp(), QmpEventPayload.of(e.name(), e.data()),
                instance, e.sequence());
        send(DroverRecord.qmpEvent(source, vmId, e.timestamp(), data));
    }

    /** A listener that publishes a migration's samples and outcome. */
    public MigrationListener forMigration(String vmId, String migrationId) {
        return new MigrationListener() {
            @Override
            public void onSample(Side side, MigrationInfo info) {
                MigrationRole role = side == Side.SOURCE ? MigrationRole.SOURCE : MigrationRole.DESTINATION;
                Instant now = Instant.now();
                send(DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, source, vmId, now,
                        new MigrationSample(migrationId, role, now, info)));
            }

            @Override
            public void onOutcome(MigrationOutcome outcome) {
                send(DroverRecord.create(RecordTypes.MIGRATION_OUTCOME, source, vmId, Instant.now(), outcome));
            }
        };
    }

    private void send(DroverRecord<?> record) {
        sent.incrementAndGet();
        producer.send(new ProducerRecord<>(topic, record.key(), record), (meta, err) -> {
            if (err == null) {
                acknowledged.incrementAndGet();
            } else {
                failed.incrementAndGet();
                lastError.set(err);
                log.warn("could not publish {} about {}: {}", record.type(), record.subject(), err.toString());
            }
        });
    }

    /** Blocks until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    public long sent() {
        return sent.get();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        producer.close(CLOSE_TIMEOUT);
    }
}
