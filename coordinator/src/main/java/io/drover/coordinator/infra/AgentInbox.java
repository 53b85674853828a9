package io.drover.coordinator.infra;

import io.drover.coordinator.Coordinator;
import io.drover.events.DroverRecord;
import io.drover.events.Json;
import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads what the agents publish (results, events, host records) and tells the entities, through
 * {@link AgentInputs}. At least once: the entities answer a repeat with success and persist nothing, and
 * what is lost in a crash is reconciled by the entities' queries after their recovery. A record that is
 * not a Drover record is skipped with a warning naming its place.
 */
public final class AgentInbox implements AutoCloseable {
    /** The consumer group: one coordinator cluster reads each record once. */
    public static final String GROUP = "drover-coordinator";
    /** How long an entity may take to answer before the inbox logs it and moves on. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(AgentInbox.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Coordinator coordinator;
    private final Thread thread;
    private volatile boolean running = true;
    /**
     * The least time between two offset commits. A commit per batch cost the broker's group coordinator CPU at
     * the busiest moment of every migration; what a crash redelivers (a second of records at most) the entities
     * take as repeats.
     */
    static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);
    private boolean uncommitted;
    private long lastCommit = System.nanoTime();

    private AgentInbox(String bootstrapServers, Coordinator coordinator) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.coordinator = coordinator;
        this.thread = new Thread(this::run, "drover-agent-inbox");
        this.thread.setDaemon(true);
    }

    public static AgentInbox start(String bootstrapServers, Coordinator coordinator) {
        AgentInbox inbox = new AgentInbox(bootstrapServers, coordinator);
        inbox.consumer.subscribe(List.of(Topics.AGENT_RESULTS, Topics.AGENT_EVENTS, Topics.HOSTS));
        inbox.thread.start();
        return inbox;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : batch) {
                    route(r);
                }
                if (!batch.isEmpty()) {
                    uncommitted = true;
                }
                if (uncommitted && System.nanoTime() - lastCommit >= COMMIT_INTERVAL.toNanos()) {
                    // Asynchronously: the next result must not wait for this commit. A crash before it lands only
                    // redelivers results, which the entities take as repeats (every step has an idempotency key).
                    consumer.commitAsync();
                    uncommitted = false;
                    lastCommit = System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("agent inbox stopped: {}", e.toString(), e);
        } finally {
            try {
                consumer.commitSync(); // what was read, before leaving the group
            } catch (RuntimeException e) {
                log.warn("agent inbox: last commit failed: {}", e.toString());
            }
            consumer.close();
        }
    }

    private void route(ConsumerRecord<String, byte[]> r) {
        DroverRecord<?> record;
        try {
            record = Json.mapper().readValue(r.value(), DroverRecord.class);
        } catch (Exception e) {
            log.warn("skipped a record that is not a Drover record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("inbox: {} {} from {}, {} ms after it was produced", record.type(), record.subject(), r.key(),
                    System.currentTimeMillis() - r.timestamp());
        }
        AgentInputs.migration(record).ifPresent(m -> coordinator.migration(m.migrationId())
                .askWithStatus(m.command()::apply, ASK_TIMEOUT)
                .whenComplete((ok, err) -> {
                    if (err != null) {
                        log.info("migration {} did not take {}: {}", m.migrationId(), record.type(), err.getMessage());
                    }
                }));
        AgentInputs.host(record).ifPresent(h -> coordinator.host(h.hostId())
                .askWithStatus(h.command()::apply, ASK_TIMEOUT)
                .whenComplete((ok, err) -> {
                    if (err != null) {
                        log.info("host {} did not take {}: {}", h.hostId(), record.type(), err.getMessage());
                    }
                }));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
