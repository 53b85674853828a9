package io.drover.coordinator.audit;

import io.drover.events.Topics;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Copies every record of the Drover topics into the audit log, exactly once.
 *
 * <p>A plain Kafka consumer (group {@value #GROUP_ID}) reads raw bytes; each poll is written in one
 * database transaction ({@code INSERT ... ON CONFLICT (event_id) DO NOTHING}), and the Kafka offsets are
 * committed only after the database commit. A crash in between replays the batch, which the unique event
 * id makes harmless: each record is in the table once. A record that is not a valid Drover record, or that
 * PostgreSQL refuses, goes to {@code audit_rejects} with what is wrong, and the records after it go on.
 *
 * <p>{@link #run()} polls until {@link #close()} (from any thread); {@link #pollOnce(Duration)} does one poll
 * (same thread only: a Kafka consumer is single-threaded).
 */
public final class AuditLogWriter implements Runnable, AutoCloseable {

    /** The consumer group; its committed offsets are how far the audit log is. */
    public static final String GROUP_ID = "drover-audit";
    /** Every topic of the Drover contract. */
    public static final List<String> TOPICS = List.of(Topics.AGENT_EVENTS, Topics.AGENT_COMMANDS,
            Topics.AGENT_RESULTS, Topics.HOSTS, Topics.COORDINATOR_DECISIONS);

    private static final Logger LOG = LoggerFactory.getLogger(AuditLogWriter.class);
    /** Short enough that {@link #close()} is noticed promptly, long enough not to spin when idle. */
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    /** How often the counts are logged: often enough to watch, rarely enough not to flood the log. */
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(30);
    /** Wait before retrying after the database failed, so that a database that is down is not hammered. */
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(5);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final JdbcSettings database;
    private final Throughput throughput = new Throughput(LOG, PROGRESS_INTERVAL);
    private Connection connection;
    private volatile boolean stopping;
    private volatile boolean running;
    private boolean closed;

    /** The broker answers a fetch once this much is there, or after {@link #FETCH_MAX_WAIT}. */
    static final int FETCH_MIN_BYTES = 64 * 1024;
    /** How far behind the topics the audit log may fall when they are quiet: a query a moment later sees it all. */
    static final Duration FETCH_MAX_WAIT = Duration.ofMillis(250);

    /** A writer of group {@value #GROUP_ID} over {@link #TOPICS}. */
    public AuditLogWriter(String bootstrapServers, JdbcSettings database) {
        this(bootstrapServers, GROUP_ID, TOPICS, database);
    }

    /**
     * A writer of another consumer group or topics (a new group reads the topics from the beginning).
     *
     * @param groupId the Kafka consumer group whose committed offsets track the progress
     * @param topics  the topics to copy
     */
    public AuditLogWriter(String bootstrapServers, String groupId, List<String> topics, JdbcSettings database) {
        this.database = Objects.requireNonNull(database, "database");
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, "drover-audit-writer",
                // Offsets are committed by hand, after the database commit.
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A new group audits everything the topics still hold.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // Records of aborted transactions never happened.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // Fewer, larger batches: nobody waits on the audit log, and a transaction and an offset commit per
                // handful of records cost CPU that the migrations on the same hosts need while they switch over.
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) FETCH_MAX_WAIT.toMillis()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics);
    }

    /** Polls and writes until {@link #close()}; a database failure is retried from the last committed offsets. */
    @Override
    public void run() {
        running = true;
        try {
            while (!stopping) {
                try {
                    pollOnce(POLL_TIMEOUT);
                } catch (SQLException e) {
                    LOG.error("audit log: writing to {} failed; retrying from the last committed offsets in {} s",
                            database, RETRY_BACKOFF.toSeconds(), e);
                    closeConnection();
                    rewindToCommitted();
                    Thread.sleep(RETRY_BACKOFF.toMillis());
                } catch (CommitFailedException e) {
                    // The group rebalanced after the database commit: the partitions' new owner reads the batch
                    // again, and the unique event id makes that harmless.
                    LOG.warn("audit log: offsets not committed after a rebalance; the batch will be read again", e);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeResources();
        }
    }

    /**
     * Polls once and writes what came in one transaction, then commits the offsets.
     *
     * @throws SQLException if the database failed; nothing of the batch was committed (neither in the
     *                      database nor in Kafka), so the caller should rewind ({@link #run()} does)
     */
    public BatchResult pollOnce(Duration timeout) throws SQLException {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(timeout);
        if (polled.isEmpty()) {
            return BatchResult.EMPTY;
        }
        List<Read> reads = new ArrayList<>(polled.count());
        List<AuditReject> rejects = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            try {
                reads.add(new Read(r, AuditEntry.fromKafka(r.topic(), r.partition(), r.offset(), r.value())));
            } catch (RuntimeException e) {
                // Whatever a record does to the reader, it must not block the records after it.
                String error = e instanceof SerializationException ? e.getMessage() : "cannot read the record: " + e;
                LOG.warn("audit log: rejected {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), error);
                rejects.add(AuditReject.of(r, error));
            }
        }
        BatchResult result = store(reads, rejects);
        consumer.commitSync();
        throughput.add(result);
        return result;
    }

    /** Stops {@link #run()} (which then closes the consumer and connection), or closes them if it is not running. */
    @Override
    public void close() {
        stopping = true;
        if (running) {
            // run() notices, and closes the consumer in its own thread.
            consumer.wakeup();
        } else {
            closeResources();
        }
    }

    private BatchResult store(List<Read> reads, List<AuditReject> rejects) throws SQLException {
        Connection c = connection();
        try {
            int inserted = AuditStore.insertEntries(c, reads.stream().map(Read::entry).toList());
            AuditStore.insertRejects(c, rejects);
            c.commit();
            return new BatchResult(reads.size() + rejects.size(), inserted, rejects.size());
        } catch (SQLException e) {
            c.rollback();
            if (!AuditStore.isDataError(e)) {
                throw e;
            }
            return storeOneByOne(c, reads, rejects);
        }
    }

    /** After PostgreSQL refused a value in the batch: each record on its own, the refused ones as rejects. */
    private BatchResult storeOneByOne(Connection c, List<Read> reads, List<AuditReject> rejects) throws SQLException {
        List<AuditReject> allRejects = new ArrayList<>(rejects);
        int inserted = 0;
        for (Read read : reads) {
            Savepoint before = c.setSavepoint();
            try {
                inserted += AuditStore.insertEntries(c, List.of(read.entry()));
                c.releaseSavepoint(before);
            } catch (SQLException e) {
                if (!AuditStore.isDataError(e)) {
                    throw e;
                }
                c.rollback(before);
                ConsumerRecord<byte[], byte[]> r = read.kafka();
                String error = "PostgreSQL cannot store record " + read.entry().eventId() + ": " + AuditStore.reason(e);
                LOG.warn("audit log: rejected {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), error);
                allRejects.add(AuditReject.of(r, error));
            }
        }
        AuditStore.insertRejects(c, allRejects);
        c.commit();
        return new BatchResult(reads.size() + rejects.size(), inserted, allRejects.size());
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = database.connect();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void rewindToCommitted() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("audit log: closing the connection failed", e);
            }
            connection = null;
        }
    }

    private synchronized void closeResources() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        closeConnection();
        consumer.close();
    }

    /** A consumed record and what it reads as. */
    private record Read(ConsumerRecord<byte[], byte[]> kafka, AuditEntry entry) {
    }
}
