package io.drover.cli;

import io.drover.coordinator.Coordinator;
import io.drover.coordinator.EnvVars;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code drover coordinator}: the coordinator process (database schema, entities, Kafka inbox, audit log
 * writer, REST API) until SIGTERM or SIGINT. Flags override the environment.
 */
@Command(name = "coordinator", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Run the coordinator and its REST API until SIGTERM/SIGINT.")
final class CoordinatorCommandLine implements Callable<Integer> {
    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Kafka bootstrap servers (default: $" + EnvVars.KAFKA + "; none: commands are only logged).")
    String kafka;

    @Option(names = "--db-url", paramLabel = "URL", description = "The PostgreSQL JDBC URL (default: $" + EnvVars.DB_URL + ", else jdbc:postgresql://127.0.0.1:5432/drover).")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (default: $" + EnvVars.DB_USER + ", else postgres); the password is read from $" + EnvVars.DB_PASSWORD + ".")
    String dbUser;

    @Option(names = "--http-port", paramLabel = "PORT", description = "The REST API's port (default: $" + EnvVars.HTTP_PORT + ", else " + EnvVars.DEFAULT_HTTP_PORT + ").")
    Integer httpPort;

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "The Pekko cluster's port (default: 25520; 0: any free port).")
    Integer clusterPort;

    @picocli.CommandLine.Mixin LogLevelOption logLevel;

    /** The configuration overrides the flags make. */
    Map<String, Object> overrides() {
        Map<String, Object> o = new HashMap<>();
        if (kafka != null) {
            o.put("drover.kafka.bootstrap-servers", kafka);
        }
        if (dbUrl != null) {
            o.put("drover.db.url", dbUrl);
        }
        if (dbUser != null) {
            o.put("drover.db.user", dbUser);
        }
        if (httpPort != null) {
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("--http-port must be between 0 and 65535, got " + httpPort);
            }
            o.put("drover.http.port", httpPort);
        }
        if (clusterPort != null) {
            if (clusterPort < 0 || clusterPort > 65535) {
                throw new IllegalArgumentException("--cluster-port must be between 0 and 65535, got " + clusterPort);
            }
            o.put("pekko.remote.artery.canonical.port", clusterPort);
        }
        return o;
    }

    @Override
    public Integer call() {
        logLevel.apply();
        CompilerThreads.lowerPriority();
        Coordinator.runWith(overrides());
        return 0;
    }
}
