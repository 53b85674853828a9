package io.drover.coordinator.audit;

import io.drover.schema.DroverSchema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A fresh database with Drover's schema on the local PostgreSQL (trust auth), dropped on close. */
final class TestDatabase implements AutoCloseable {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final String USER = "postgres";

    final String name = "drover_audit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final JdbcSettings settings = new JdbcSettings(SERVER + name, USER, "");

    TestDatabase() throws SQLException {
        admin("CREATE DATABASE " + name);
        DroverSchema.migrate(settings.url(), USER, "");
    }

    /** The single number a query returns. */
    long count(String sql) throws SQLException {
        try (Connection c = settings.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
