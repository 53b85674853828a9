package io.drover.coordinator.readmodel;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.drover.coordinator.audit.JdbcSettings;
import io.drover.coordinator.migration.MigrationEntity;
import io.drover.coordinator.migration.AgentGateway;
import io.drover.coordinator.migration.MigrationEvent;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

import java.util.Optional;

/**
 * Keeps {@code migration_summary} up to date: every event tagged {@link MigrationEntity#TAG}, read with the
 * JDBC read journal's eventsByTag, goes through {@link MigrationSummaryHandler} exactly once, the row
 * written in the same transaction as the offset in {@code pekko_projection_offset_store}.
 *
 * <p>It runs under {@link ShardedDaemonProcess} with one instance: the coordinator is a cluster (of one node
 * today), and the daemon process keeps exactly one instance running in it, moving it to another node if its
 * node leaves, where a plain {@code ProjectionBehavior} spawned by each node would run once per node and
 * the instances would compete for the same offset row.
 *
 * <p>Its connections come from a HikariCP pool of its own, as pekko-projection-jdbc advises (the API's
 * reads and the journal do not wait on it, nor it on them). HikariCP is on the class path already:
 * pekko-persistence-jdbc pools the journal's connections with it (through slick-hikaricp). A connection per
 * envelope from DriverManager would mean a new PostgreSQL backend, and a login, per event.
 */
public final class MigrationSummaryProjection {
    /** The projection's name in the offset store; its key is the tag it reads. */
    public static final String NAME = "migration-summary";
    public static final ProjectionId ID = ProjectionId.of(NAME, MigrationEntity.TAG);
    /** Sized like the dispatcher pekko-projection-jdbc runs the handler on: one connection per thread. */
    static final String POOL_SIZE = "pekko.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size";

    private MigrationSummaryProjection() {
    }

    /**
     * Starts the projection's single instance in the cluster; its pool closes when {@code system} terminates. Each
     * event but the progress samples also goes to {@code decisions} as the coordinator's decision record.
     */
    public static void init(ActorSystem<?> system, JdbcSettings db, AgentGateway decisions) {
        HikariDataSource pool = pool(db, system.settings().config().getInt(POOL_SIZE));
        system.getWhenTerminated().thenRun(pool::close);
        ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, 1,
                i -> ProjectionBehavior.create(projection(system, pool, decisions)),
                ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
    }

    static Projection<EventEnvelope<MigrationEvent>> projection(ActorSystem<?> system, HikariDataSource pool, AgentGateway decisions) {
        SourceProvider<Offset, EventEnvelope<MigrationEvent>> events =
                EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), MigrationEntity.TAG);
        return JdbcProjection.exactlyOnce(ID, events, () -> PooledJdbcSession.open(pool), () -> new MigrationSummaryHandler(decisions), system);
    }

    private static HikariDataSource pool(JdbcSettings db, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("drover-read-model");
        c.setJdbcUrl(db.url());
        c.setUsername(db.user());
        c.setPassword(db.password());
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(1);
        c.setAutoCommit(false);
        return new HikariDataSource(c);
    }
}
