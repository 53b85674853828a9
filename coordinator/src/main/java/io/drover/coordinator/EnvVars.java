package io.drover.coordinator;

import java.util.List;

/**
 * Every environment variable Drover's code reads, in one place: application.conf (the coordinator's
 * database, Kafka and HTTP port), the {@code drover} commands and the ./drover launcher. compose.yaml is checked against it.
 */
public final class EnvVars {
    public static final String DB_URL = "DROVER_DB_URL";
    public static final String DB_USER = "DROVER_DB_USER";
    public static final String DB_PASSWORD = "DROVER_DB_PASSWORD";
    public static final String KAFKA = "DROVER_KAFKA";
    public static final String HTTP_PORT = "DROVER_HTTP_PORT";
    /** The coordinator's API base URL, for the client commands. */
    public static final String API = "DROVER_API";

    /** JVM options, read by the ./drover launcher script. */
    public static final String JAVA_OPTS = "DROVER_JAVA_OPTS";
    /** The agent's and coordinator's own log level (--log-level). */
    public static final String LOG_LEVEL = "DROVER_LOG_LEVEL";
    /** {@code off} keeps the JIT compiler threads at the JVM's priority (the long-running commands lower it to nice 19). */
    public static final String JIT_NICE = "DROVER_JIT_NICE";

    /** What the coordinator reads (application.conf). */
    public static final List<String> COORDINATOR = List.of(DB_URL, DB_USER, DB_PASSWORD, KAFKA, HTTP_PORT);
    /** Every name the code reads. */
    public static final List<String> ALL = List.of(DB_URL, DB_USER, DB_PASSWORD, KAFKA, HTTP_PORT, API, JAVA_OPTS,
            LOG_LEVEL, JIT_NICE);

    /** The HTTP port when neither DROVER_HTTP_PORT nor --http-port says. */
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** Where the client commands find the API by default. */
    public static final String DEFAULT_API = "http://127.0.0.1:" + DEFAULT_HTTP_PORT;

    private EnvVars() {
    }
}
