package io.drover.coordinator.audit;

import java.sql.Connection;
import java.sql.SQLException;

/** Where a query gets its connection: a new one ({@link JdbcSettings}) or one from a pool ({@link PooledConnections}). */
@FunctionalInterface
public interface ConnectionSource {
    /** A connection the caller closes (back to its pool, if it came from one). */
    Connection connect() throws SQLException;
}
