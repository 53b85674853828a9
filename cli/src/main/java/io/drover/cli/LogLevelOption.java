package io.drover.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code --log-level} for the long-running services ({@code drover coordinator}, {@code drover agent}): they
 * log what they do at INFO by default (commands sent and handled, API and broker start), where the interactive
 * commands keep to warnings so that their terminal output stays readable (logback.xml).
 */
final class LogLevelOption {
    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "${env:DROVER_LOG_LEVEL:-INFO}",
            description = "Drover's own log level: ERROR, WARN, INFO, DEBUG or TRACE (default: $DROVER_LOG_LEVEL, else ${DEFAULT-VALUE}).")
    String level;

    /** Sets the level of Drover's loggers, or fails naming the bad value. */
    void apply() {
        Level l = Level.toLevel(level, null);
        if (l == null || !level.equalsIgnoreCase(l.levelStr)) {
            throw new IllegalArgumentException("--log-level must be ERROR, WARN, INFO, DEBUG or TRACE, got '" + level + "'");
        }
        ((Logger) LoggerFactory.getLogger("io.drover")).setLevel(l);
    }
}
