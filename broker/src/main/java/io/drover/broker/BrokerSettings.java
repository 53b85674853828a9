package io.drover.broker;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The configuration of a single-node KRaft broker: one process acting as both broker and
 * controller, tuned to start fast and stay small in tests and demos.
 */
final class BrokerSettings {

    /** The only node of a single-node cluster; the static voter list names it. */
    static final int NODE_ID = 1;

    /** Listener for the controller quorum (KRaft), on its own port. */
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** Listener for clients and (were there more) other brokers. */
    static final String CLIENT_LISTENER = "PLAINTEXT";

    /**
     * With one broker, no replica can live anywhere else: every internal topic must use
     * replication factor 1 (the defaults of 3 would leave them unavailable).
     */
    private static final int SINGLE_REPLICA = 1;

    /**
     * Internal topics (consumer offsets, transaction state, share-group state) default to 50
     * partitions; creating those on the first consumer-group join costs seconds. One is plenty here.
     */
    private static final int INTERNAL_TOPIC_PARTITIONS = 1;

    /**
     * Kafka waits this long after the first member joins a new consumer group, hoping more join;
     * the default of 3 s would delay every test that consumes. Members join promptly here.
     */
    private static final int GROUP_INITIAL_REBALANCE_DELAY_MS = 0;

    /**
     * The log cleaner allocates its whole dedupe buffer up front (128 MiB by default), per broker;
     * several brokers in a test JVM would waste heap. 2 MiB is above Kafka's minimum of 1 MiB per
     * cleaner thread and ample for our compacted topics.
     */
    private static final int LOG_CLEANER_DEDUPE_BUFFER_BYTES = 2 * 1024 * 1024;

    /**
     * Tests and demos run for minutes, so a day (the default is a week) bounds the disk a
     * forgotten data directory can grow to. Retention only removes closed segments, never the
     * active one, so no record of a run disappears while it is still being read.
     */
    private static final int LOG_RETENTION_HOURS = 24;

    /** Thread pools sized for a small machine running several brokers, not for production load. */
    private static final int NETWORK_THREADS = 2;
    private static final int IO_THREADS = 2;
    private static final int BACKGROUND_THREADS = 2;

    private BrokerSettings() {
    }

    /**
     * @param logDir where Kafka keeps both topic data and the metadata log
     * @param clientPort port of the client listener on {@link Ports#LOOPBACK}
     * @param controllerPort port of the controller listener on {@link Ports#LOOPBACK}
     */
    static Properties of(Path logDir, int clientPort, int controllerPort) {
        String clientAddress = CLIENT_LISTENER + "://" + Ports.LOOPBACK + ":" + clientPort;
        String controllerAddress = CONTROLLER_LISTENER + "://" + Ports.LOOPBACK + ":" + controllerPort;
        Properties props = new Properties();

        // KRaft combined mode: this process is the whole cluster.
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // A static voter set: the controller's port may change between restarts (it is picked
        // free each time), which a dynamic quorum, recording its voters in the log, would not allow.
        props.put("controller.quorum.voters", NODE_ID + "@" + Ports.LOOPBACK + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", clientAddress + "," + controllerAddress);
        props.put("advertised.listeners", clientAddress);
        props.put("inter.broker.listener.name", CLIENT_LISTENER);
        props.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");

        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        props.put("log.retention.hours", String.valueOf(LOG_RETENTION_HOURS));
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(LOG_CLEANER_DEDUPE_BUFFER_BYTES));

        props.put("num.partitions", "1");
        props.put("default.replication.factor", String.valueOf(SINGLE_REPLICA));
        props.put("auto.create.topics.enable", "true");
        props.put("min.insync.replicas", String.valueOf(SINGLE_REPLICA));

        props.put("group.initial.rebalance.delay.ms", String.valueOf(GROUP_INITIAL_REBALANCE_DELAY_MS));
        props.put("offsets.topic.replication.factor", String.valueOf(SINGLE_REPLICA));
        props.put("offsets.topic.num.partitions", String.valueOf(INTERNAL_TOPIC_PARTITIONS));
        props.put("transaction.state.log.replication.factor", String.valueOf(SINGLE_REPLICA));
        props.put("transaction.state.log.min.isr", String.valueOf(SINGLE_REPLICA));
        props.put("transaction.state.log.num.partitions", String.valueOf(INTERNAL_TOPIC_PARTITIONS));
        props.put("share.coordinator.state.topic.replication.factor", String.valueOf(SINGLE_REPLICA));
        props.put("share.coordinator.state.topic.min.isr", String.valueOf(SINGLE_REPLICA));
        props.put("share.coordinator.state.topic.num.partitions", String.valueOf(INTERNAL_TOPIC_PARTITIONS));

        props.put("num.network.threads", String.valueOf(NETWORK_THREADS));
        props.put("num.io.threads", String.valueOf(IO_THREADS));
        props.put("background.threads", String.valueOf(BACKGROUND_THREADS));
        return props;
    }
}
