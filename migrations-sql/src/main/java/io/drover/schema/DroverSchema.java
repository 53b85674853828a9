package io.drover.schema;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Brings a PostgreSQL database to Drover's current schema with the Flyway scripts in db/migration. */
public final class DroverSchema {
    private DroverSchema() {
    }

    /** Applies every pending migration; returns how many ran. Safe to call at every start-up. */
    public static int migrate(String jdbcUrl, String user, String password) {
        MigrateResult r = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return r.migrationsExecuted;
    }
}
