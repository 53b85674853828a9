package io.drover.broker;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka from ending the JVM that hosts it.
 *
 * <p>Kafka reports fatal errors (a listener that cannot bind, a fault in the metadata log, ...) by
 * calling {@link Exit#exit} or {@link Exit#halt}, which by default end the whole process: in a test
 * JVM that would kill every other test with it. While at least one in-process broker is held, both
 * are turned into a {@link KafkaExitException} thrown in the calling Kafka thread, so that
 * {@link EmbeddedKafka#start} fails with an exception instead. The procedures are JVM-wide statics,
 * hence the hold count: concurrent brokers share one guard, and the last release restores Kafka's
 * defaults.
 *
 * <p>A process that hosts exactly one broker ({@link BrokerMain}) can {@link #handOverToProcess()}
 * once the broker is ready: a later fatal error then halts the process with Kafka's status code, as
 * Kafka intends, rather than leaving a broken broker running.
 */
final class ExitGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);

    private static int holders;
    private static volatile boolean processOwned;

    private ExitGuard() {
    }

    /** Starts (or joins) guarding; pair every call with {@link #release()}. */
    static synchronized void acquire() {
        if (holders++ == 0) {
            Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
            Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        }
    }

    /** Stops guarding once the last holder has released. */
    static synchronized void release() {
        if (holders == 0) {
            throw new IllegalStateException("ExitGuard released more often than acquired");
        }
        if (--holders == 0) {
            processOwned = false;
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    /** From now on, Kafka's exit and halt requests halt this process with Kafka's status code. */
    static void handOverToProcess() {
        processOwned = true;
    }

    private static void refuse(String kind, int status, String message) {
        if (processOwned) {
            LOG.error("Kafka requested {}({}): {}; halting the broker process", kind, status, message);
            Runtime.getRuntime().halt(status);
        }
        LOG.error("Kafka requested {}({}): {}; refused, the JVM keeps running", kind, status, message);
        throw new KafkaExitException(kind, status, message);
    }

    /** Kafka asked to end the JVM; thrown instead, in the Kafka thread that asked. */
    static final class KafkaExitException extends RuntimeException {

        KafkaExitException(String kind, int status, String message) {
            super("Kafka requested " + kind + "(" + status + ")" + (message == null ? "" : ": " + message));
        }
    }
}
