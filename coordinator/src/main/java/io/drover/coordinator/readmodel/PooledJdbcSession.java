package io.drover.coordinator.readmodel;

import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A {@link JdbcSession} over one pooled connection, auto-commit off: pekko-projection-jdbc runs the handler
 * and then saves the offset through the same session, and only without auto-commit do both land in one
 * transaction (exactly-once). The projection creates one session per envelope and closes it, which
 * returns the connection to the pool.
 */
record PooledJdbcSession(Connection connection) implements JdbcSession {

    static PooledJdbcSession open(DataSource pool) {
        try {
            Connection c = pool.getConnection();
            c.setAutoCommit(false);
            return new PooledJdbcSession(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open a read-model connection: " + e.getMessage(), e);
        }
    }

    @Override
    public <R> R withConnection(Function<Connection, R> work) throws Exception {
        return work.apply(connection);
    }

    @Override
    public void commit() throws SQLException {
        connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
        connection.rollback();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
