package io.drover.broker;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one Kafka broker as its own OS process, for the demo.
 *
 * <p>Usage: {@code BrokerMain --data-dir DIR --port N}. Once the broker accepts clients it prints
 * exactly one line, {@code KAFKA READY 127.0.0.1:N}, to standard output. SIGTERM or SIGINT shut it
 * down cleanly and the process exits with status 0. Status 1 means the broker could not start or
 * stop cleanly (the reason goes to standard error), status 2 a bad command line.
 */
public final class BrokerMain {

    /** The line a launcher waits for, followed by a space and the bootstrap address. */
    public static final String READY_PREFIX = "KAFKA READY";

    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;
    private static final String USAGE = "usage: BrokerMain --data-dir DIR --port N";

    private BrokerMain() {
    }

    /** Starts the broker and blocks until the process is told to stop. */
    public static void main(String[] args) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(arguments.dataDir(), arguments.port());
        } catch (RuntimeException e) {
            System.err.println("cannot start Kafka: " + e.getMessage());
            System.exit(EXIT_FAILURE);
            return;
        }
        ExitGuard.handOverToProcess();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(kafka), "broker-shutdown"));
        System.out.println(READY_PREFIX + " " + kafka.bootstrapServers());
        System.out.flush();
        awaitForever();
    }

    /**
     * Runs in the shutdown hook. Ends with {@code halt(0)}: a JVM stopped by a signal otherwise
     * exits with 128 + signal number even after a clean shutdown, and a clean shutdown is a success.
     */
    private static void stop(EmbeddedKafka kafka) {
        int status = 0;
        try {
            kafka.close();
        } catch (RuntimeException e) {
            System.err.println("unclean Kafka shutdown: " + e);
            status = EXIT_FAILURE;
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    private static void awaitForever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The parsed command line. */
    record Arguments(Path dataDir, int port) {

        static Arguments parse(String[] args) {
            Path dataDir = null;
            Integer port = null;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + args[i]);
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--port" -> port = parsePort(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (dataDir == null || port == null) {
                throw new IllegalArgumentException("--data-dir and --port are required");
            }
            return new Arguments(dataDir, port);
        }

        private static int parsePort(String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port is not a number: " + value, e);
            }
        }
    }
}
