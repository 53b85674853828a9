package io.drover.coordinator.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Where the audit log's PostgreSQL database is.
 *
 * @param url      JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/drover}
 * @param user     database user
 * @param password password; empty for trust authentication
 */
public record JdbcSettings(String url, String user, String password) implements ConnectionSource {

    public JdbcSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
    }

    /** Opens a new connection; the caller closes it. */
    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Without the password, so that it never reaches a log. */
    @Override
    public String toString() {
        return user + "@" + url;
    }
}
