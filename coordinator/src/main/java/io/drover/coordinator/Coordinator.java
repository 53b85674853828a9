package io.drover.coordinator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.coordinator.api.CoordinatorApi;
import io.drover.coordinator.api.HttpApi;
import io.drover.coordinator.audit.AuditLogWriter;
import io.drover.coordinator.audit.JdbcSettings;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.host.HostEntity;
import io.drover.coordinator.infra.AgentInbox;
import io.drover.coordinator.infra.KafkaAgentGateway;
import io.drover.coordinator.migration.AgentGateway;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationEnded;
import io.drover.coordinator.migration.MigrationEntity;
import io.drover.coordinator.readmodel.MigrationSummaryProjection;
import io.drover.schema.DroverSchema;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator process: brings the database to the current schema (Flyway), then starts the
 * ActorSystem (a cluster; one node that joins itself unless seed nodes are configured) with the migration
 * and host entities sharded over it and the migrations' read model ({@link MigrationSummaryProjection});
 * {@link #startApi} serves the REST API ({@link HttpApi}).
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final ActorSystem<Void> system;
    private final ClusterSharding sharding;
    private final JdbcSettings db;
    private final AgentGateway gateway;

    private Coordinator(ActorSystem<Void> system, ClusterSharding sharding, JdbcSettings db, AgentGateway gateway,
                        ActorRef<Topic.Command<MigrationEnded>> migrationEnded) {
        this.migrationEnded = migrationEnded;
        this.system = system;
        this.sharding = sharding;
        this.db = db;
        this.gateway = gateway;
    }

    private final ActorRef<Topic.Command<MigrationEnded>> migrationEnded;

    /** This node's instance of the topic on which migrations announce their end ({@link MigrationEnded}). */
    public ActorRef<Topic.Command<MigrationEnded>> migrationEnded() {
        return migrationEnded;
    }

    /** application.conf with {@code overrides} on top (e.g. {@code drover.db.url}), resolved. */
    public static Config config(Map<String, ?> overrides) {
        return ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    /** Migrates the schema, starts the system and the sharded entities. */
    public static Coordinator start(Config config, AgentGateway gateway) {
        int applied = DroverSchema.migrate(config.getString("drover.db.url"), config.getString("drover.db.user"),
                config.getString("drover.db.password"));
        log.info("schema up to date ({} migrations applied)", applied);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "drover", config);
        Cluster cluster = Cluster.get(system);
        if (config.getList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        ClusterSharding sharding = ClusterSharding.get(system);
        // No automatic passivation: a quiet migration still has timeouts to watch, a quiet host is exactly
        // the one whose missed heartbeats must be noticed. Ended migrations passivate themselves.
        ClusterShardingSettings keepAlive = ClusterShardingSettings.create(system).withNoPassivationStrategy();
        // This node's instance of the cluster-wide topic on which migrations announce their end (the API's long polls).
        ActorRef<Topic.Command<MigrationEnded>> ended = system.systemActorOf(
                Topic.create(MigrationEnded.class, MigrationEnded.TOPIC), "migration-ended", Props.empty());
        sharding.init(Entity.of(MigrationEntity.TYPE_KEY, ctx -> MigrationEntity.create(ctx.getEntityId(), gateway,
                self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self)), ended)).withSettings(keepAlive));
        sharding.init(Entity.of(HostEntity.TYPE_KEY, ctx -> HostEntity.create(ctx.getEntityId())).withSettings(keepAlive));
        JdbcSettings db = new JdbcSettings(config.getString("drover.db.url"), config.getString("drover.db.user"),
                config.getString("drover.db.password"));
        // The read model of GET /api/migrations, once in the cluster; it also publishes the decisions through the gateway.
        MigrationSummaryProjection.init(system, db, gateway);
        Coordinator coordinator = new Coordinator(system, sharding, db, gateway, ended);
        coordinator.wakeUp(config);
        return coordinator;
    }

    /**
     * After a start, nothing would wake an entity until a message for it arrives; but an unfinished
     * migration must re-send its pending step and watch its timeouts, and every known host's liveness must
     * be watched. So each of them gets a {@code Get} now (answered to nobody), which recovers it.
     */
    private void wakeUp(Config config) {
        Persisted p = persisted(config.getString("drover.db.url"), config.getString("drover.db.user"),
                config.getString("drover.db.password"));
        p.unfinishedMigrations().forEach(id -> migration(id).tell(new MigrationCommand.Get(system.ignoreRef())));
        p.hosts().forEach(id -> host(id).tell(new HostCommand.Get(system.ignoreRef())));
        log.info("woke {} unfinished migrations and {} hosts", p.unfinishedMigrations().size(), p.hosts().size());
    }

    /**
     * The persistence ids of every host entity, in order: each host's first event, through the partial index
     * event_journal_host_idx (V5), one entry per host, however long the journal. The predicate must stay the index's.
     */
    public static final String HOST_IDS_SQL = "SELECT persistence_id FROM event_journal"
            + " WHERE sequence_number = 1 AND persistence_id LIKE 'Host|%' ORDER BY 1";

    /** The ids of every host entity, in order ({@link #HOST_IDS_SQL}). */
    public static List<String> hostIds(io.drover.coordinator.audit.ConnectionSource db) {
        try (Connection c = db.connect()) {
            return ids(c, HOST_IDS_SQL);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the host ids from the journal: " + e.getMessage(), e);
        }
    }

    /** Entity ids found in the journal: migrations whose last event did not end them, and every host. */
    public record Persisted(List<String> unfinishedMigrations, List<String> hosts) {
    }

    public static Persisted persisted(String url, String user, String password) {
        return persisted(new JdbcSettings(url, user, password));
    }

    public static Persisted persisted(io.drover.coordinator.audit.ConnectionSource db) {
        String unfinished = unfinishedQuery();
        try (Connection c = db.connect()) {
            return new Persisted(ids(c, unfinished), ids(c, HOST_IDS_SQL));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal (" + db + "): " + e.getMessage(), e);
        }
    }

    private static String unfinishedQuery() {
        // Jackson's serializer writes the event's class name as its manifest.
        String ending = MigrationEntity.ENDING_EVENTS.stream().map(c -> "'" + c.getName() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
        return "SELECT j.persistence_id FROM event_journal j"
                + " WHERE j.persistence_id LIKE 'Migration|%' AND NOT j.deleted"
                + " AND j.sequence_number = (SELECT max(k.sequence_number) FROM event_journal k WHERE k.persistence_id = j.persistence_id)"
                + " AND j.event_ser_manifest NOT IN (" + ending + ")";
    }

    private static List<String> ids(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String pid = rs.getString(1);
                out.add(pid.substring(pid.indexOf('|') + 1));
            }
        }
        return out;
    }

    public EntityRef<MigrationCommand> migration(String migrationId) {
        return sharding.entityRefFor(MigrationEntity.TYPE_KEY, migrationId);
    }

    public EntityRef<HostCommand> host(String hostId) {
        return sharding.entityRefFor(HostEntity.TYPE_KEY, hostId);
    }

    /** Serves the REST API on {@code iface:port} (port 0: any free one) until the returned API is closed. */
    public HttpApi startApi(String iface, int port) {
        return HttpApi.start(system, new CoordinatorApi(this, db), iface, port);
    }

    /** Where commands to the agents go (the API's VM lifecycle requests send through it too). */
    public AgentGateway gateway() {
        return gateway;
    }

    /** The database the coordinator's journal and audit log are in. */
    public JdbcSettings database() {
        return db;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Terminates the system and waits (up to {@code timeout}) for it. */
    public void stop(Duration timeout) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the actor system did not terminate within " + timeout, e);
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /**
     * {@code drover.kafka.bootstrap-servers} (env DROVER_KAFKA) set: commands go to Kafka, the agents' results,
     * events and host records are read from it and every record is copied to the audit log; else commands are
     * only logged. The REST API is served on {@code drover.http.interface}:{@code drover.http.port}
     * (env DROVER_HTTP_PORT).
     */
    public static void main(String[] args) {
        run(ConfigFactory.load());
    }

    /** {@link #run(Config)} with application.conf and {@code overrides} on top (see {@link #config}). */
    public static void runWith(Map<String, ?> overrides) {
        run(config(overrides));
    }

    /** Runs the coordinator with {@code config} until the JVM is told to stop (SIGTERM, SIGINT). */
    public static void run(Config config) {
        String kafka = config.hasPath("drover.kafka.bootstrap-servers") ? config.getString("drover.kafka.bootstrap-servers") : "";
        AgentGateway gateway;
        AutoCloseable closeGateway;
        if (kafka.isBlank()) {
            gateway = c -> log.info("no Kafka configured; command not sent: {}", c);
            closeGateway = () -> { };
        } else {
            KafkaAgentGateway k = new KafkaAgentGateway(kafka, Clock.systemUTC());
            gateway = k;
            closeGateway = k;
        }
        Coordinator coordinator = start(config, gateway);
        AgentInbox inbox = kafka.isBlank() ? null : AgentInbox.start(kafka, coordinator);
        AuditLogWriter audit = kafka.isBlank() ? null : new AuditLogWriter(kafka, coordinator.database());
        if (audit != null) {
            Thread t = new Thread(audit, "drover-audit-writer");
            t.setDaemon(true);
            t.start();
        }
        HttpApi api = coordinator.startApi(config.getString("drover.http.interface"), config.getInt("drover.http.port"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            if (audit != null) {
                audit.close();
            }
            if (inbox != null) {
                inbox.close();
            }
            coordinator.close();
            try {
                closeGateway.close();
            } catch (Exception e) {
                log.warn("closing the Kafka producer: {}", e.toString());
            }
        }, "drover-coordinator-shutdown"));
        coordinator.system().getWhenTerminated().toCompletableFuture().join();
    }
}
