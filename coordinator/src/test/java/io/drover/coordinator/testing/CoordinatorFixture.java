package io.drover.coordinator.testing;

import io.drover.coordinator.Coordinator;
import io.drover.coordinator.api.HttpApi;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostSummary;
import io.drover.coordinator.migration.AgentGateway;
import io.drover.events.HostStatus;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in this JVM on a database of its own on the local PostgreSQL (trust auth), with its REST API on a
 * free port; closing it stops both and drops the database. Shared with the cli module's tests (test-jar).
 */
public final class CoordinatorFixture implements AutoCloseable {
    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final Duration ASK = Duration.ofSeconds(20);

    private final String db;
    private final Coordinator coordinator;
    private final HttpApi api;

    private CoordinatorFixture(String db, Coordinator coordinator, HttpApi api) {
        this.db = db;
        this.coordinator = coordinator;
        this.api = api;
    }

    /** Creates database {@code <prefix>_<random>}, starts the coordinator on it (commands go to {@code gateway}) and its API. */
    public static CoordinatorFixture start(String prefix, AgentGateway gateway) throws SQLException {
        String db = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + db);
        Coordinator coordinator = null;
        try {
            coordinator = Coordinator.start(Coordinator.config(Map.of(
                    "drover.db.url", SERVER + db, "drover.db.user", "postgres", "drover.db.password", "",
                    "pekko.remote.artery.canonical.port", 0, "pekko.loglevel", "WARNING",
                    "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on")), gateway);
            return new CoordinatorFixture(db, coordinator, coordinator.startApi("127.0.0.1", 0));
        } catch (RuntimeException e) {
            if (coordinator != null) coordinator.stop(ASK);
            admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            throw e;
        }
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    /** The API's base URL, {@code http://127.0.0.1:<port>}. */
    public String base() {
        return "http://127.0.0.1:" + api.port();
    }

    /** Registers {@code host} running {@code vms}, as its agent's first record would. */
    public void register(String host, List<HostStatus.VmState> vms) throws Exception {
        HostStatus st = new HostStatus(host, "7.2.22", "7.2", "kvm", 8192, 4, vms, 0, Instant.now());
        coordinator.host(host).<HostSummary>askWithStatus(r -> new HostCommand.Register(st, r), ASK)
                .toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            api.close();
            coordinator.stop(Duration.ofSeconds(30));
        } finally {
            admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
