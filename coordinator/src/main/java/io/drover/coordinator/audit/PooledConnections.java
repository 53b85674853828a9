package io.drover.coordinator.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A small HikariCP pool for the REST API's queries (the journal's ids, the read model, the audit log). A new
 * PostgreSQL connection costs ~15 ms here (a backend process per connection), and creating a migration asked
 * for two; HikariCP is already on the class path through pekko-persistence-jdbc.
 */
public final class PooledConnections implements ConnectionSource, AutoCloseable {
    /** API requests are short reads; a few connections serve them without holding many backends. */
    static final int MAX_CONNECTIONS = 4;

    private final HikariDataSource pool;
    private final String where;

    public PooledConnections(JdbcSettings settings, String name) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(settings.url());
        c.setUsername(settings.user());
        c.setPassword(settings.password());
        c.setPoolName(name);
        c.setMaximumPoolSize(MAX_CONNECTIONS);
        c.setMinimumIdle(1);
        this.pool = new HikariDataSource(c);
        this.where = name + " pool on " + settings;
    }

    /** The pool and its database, without the password. */
    @Override
    public String toString() {
        return where;
    }

    @Override
    public Connection connect() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
    }
}
