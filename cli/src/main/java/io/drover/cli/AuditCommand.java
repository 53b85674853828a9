package io.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.coordinator.audit.AuditFilter;
import io.drover.coordinator.audit.AuditQuery;
import io.drover.coordinator.audit.AuditRow;
import io.drover.coordinator.audit.JdbcSettings;
import io.drover.events.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code drover audit}: the audit log's records by VM, host, migration, type and time range, as a table or
 * as JSON lines. Exit codes: 0 done (also when nothing matches), 1 the database failed, 2 a bad flag.
 */
@Command(name = "audit", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show the audit log: every Drover Kafka record, by VM, host, migration, type and time.")
final class AuditCommand implements Callable<Integer> {

    /** Where the database is when neither --db-url nor the environment says. */
    static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/drover";
    /** The environment variable naming the database, so that scripts need not repeat --db-url. */
    static final String DB_URL_ENV = "DROVER_DB_URL";
    /** The password comes from the environment only: a command line is visible to every user of the host. */
    static final String DB_PASSWORD_ENV = "DROVER_DB_PASSWORD";
    private static final String JDBC_POSTGRESQL = "jdbc:postgresql:";
    /** One column of the table: its heading and how a row fills it. */
    private record Column(String heading, Function<AuditRow, String> value) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("TIME", r -> r.eventTime().truncatedTo(ChronoUnit.MILLIS).toString()),
            new Column("TYPE", AuditRow::type),
            new Column("SUBJECT", AuditRow::subject),
            new Column("HOST", AuditRow::hostId),
            new Column("MIGRATION", AuditRow::migrationId),
            new Column("SUMMARY", AuditRow::summary));

    @Spec
    CommandSpec spec;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "The audit log's PostgreSQL (default: $" + DB_URL_ENV + ", else " + DEFAULT_DB_URL + ").")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", defaultValue = "postgres",
            description = "Database user (default: ${DEFAULT-VALUE}); the password is read from $" + DB_PASSWORD_ENV + ".")
    String dbUser;

    @Option(names = "--vm", paramLabel = "ID", description = "Only records of this VM.")
    String vm;

    @Option(names = "--host", paramLabel = "ID", description = "Only records of this host.")
    String host;

    @Option(names = "--migration", paramLabel = "ID", description = "Only records of this migration.")
    String migration;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Only this record type; ending in '.' or '*' a prefix, e.g. io.drover.qmp.")
    String type;

    @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
            description = "From this time on: an age (30s, 15m, 1h, 2d) or an ISO instant (2026-11-21T19:45:00Z).")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Before this time: an age or an ISO instant, as for --since.")
    Instant until;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + AuditFilter.DEFAULT_LIMIT,
            description = "At most N records, the latest (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per record instead of a table.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        AuditFilter filter = filter();
        JdbcSettings database = new JdbcSettings(databaseUrl(), dbUser, System.getenv(DB_PASSWORD_ENV));
        List<AuditRow> rows;
        try {
            rows = new AuditQuery(database).find(filter);
        } catch (SQLException e) {
            spec.commandLine().getErr().println("drover: cannot read the audit log at " + database + ": " + e.getMessage());
            return 1;
        }
        if (json) {
            printJson(System.out, rows);
        } else {
            printTable(System.out, rows);
        }
        return 0;
    }

    /** The flags as a filter; a bad combination throws, naming the flags (exit 2). */
    private AuditFilter filter() {
        if (limit < 1 || limit > AuditFilter.MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be between 1 and " + AuditFilter.MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && !until.isAfter(since)) {
            throw new IllegalArgumentException("--until (" + until + ") must be after --since (" + since + ")");
        }
        requireNotBlank("--vm", vm);
        requireNotBlank("--host", host);
        requireNotBlank("--migration", migration);
        requireNotBlank("--type", type);
        return new AuditFilter(vm, host, migration, type, since, until, limit);
    }

    private String databaseUrl() {
        String env = System.getenv(DB_URL_ENV);
        String url = dbUrl != null ? dbUrl : env != null && !env.isBlank() ? env : DEFAULT_DB_URL;
        if (!url.startsWith(JDBC_POSTGRESQL)) {
            throw new IllegalArgumentException((dbUrl != null ? "--db-url" : "$" + DB_URL_ENV)
                    + " must be a " + JDBC_POSTGRESQL + " URL, was '" + url + "'");
        }
        return url;
    }

    private static void printJson(PrintStream out, List<AuditRow> rows) throws JsonProcessingException {
        for (AuditRow row : rows) {
            ObjectNode line = Json.mapper().valueToTree(row);
            line.put("summary", row.summary());
            out.println(Json.mapper().writeValueAsString(line));
        }
    }

    private static void printTable(PrintStream out, List<AuditRow> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(COLUMNS.stream().map(Column::heading).toArray(String[]::new));
        for (AuditRow row : rows) {
            cells.add(COLUMNS.stream().map(c -> c.value().apply(row)).map(v -> v == null ? "-" : v).toArray(String[]::new));
        }
        int[] widths = new int[COLUMNS.size()];
        for (String[] line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                // The last column is not padded: no trailing blanks.
                sb.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println(rows.size() + (rows.size() == 1 ? " record" : " records"));
    }

    private static void requireNotBlank(String flag, String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(flag + " must not be empty");
        }
    }

    /** A time: an age before now ({@code 30s}, {@code 15m}, {@code 1h}, {@code 2d}) or an ISO-8601 instant. */
    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");
        private static final Map<String, ChronoUnit> UNITS = Map.of(
                "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS, "d", ChronoUnit.DAYS);

        @Override
        public Instant convert(String value) {
            Matcher age = AGE.matcher(value.trim());
            if (age.matches()) {
                return Instant.now().minus(Duration.of(Long.parseLong(age.group(1)), UNITS.get(age.group(2))));
            }
            try {
                return OffsetDateTime.parse(value.trim()).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is neither an age (30s, 15m, 1h, 2d) nor an ISO instant (2026-11-21T19:45:00Z)");
            }
        }
    }
}
