package io.drover.events;

import java.util.Map;
import java.util.Optional;

/**
 * The CloudEvents {@code type} values of Drover records (reverse-DNS), and the registry from type to the
 * Java class of {@code data} that {@link DroverRecord} deserialisation uses.
 *
 * <table>
 *   <caption>Record types, schema version 1</caption>
 *   <tr><th>type</th><th>data</th></tr>
 *   <tr><td>{@code io.drover.qmp.<EVENT>}, e.g. {@value #QMP_MIGRATION}</td><td>{@link QmpEventData}</td></tr>
 *   <tr><td>{@value #MIGRATION_SAMPLE}</td><td>{@link MigrationSample}</td></tr>
 *   <tr><td>{@value #MIGRATION_OUTCOME}</td><td>{@link MigrationOutcome}</td></tr>
 *   <tr><td>anything else</td><td>{@link com.fasterxml.jackson.databind.JsonNode}</td></tr>
 * </table>
 *
 * <p>Every QMP event the agent forwards gets type {@code io.drover.qmp.} + its QMP name, not only the
 * ones with constants here; all of them carry {@link QmpEventData}.
 */
public final class RecordTypes {

    /** Prefix of the types of forwarded QMP events; the QMP event name follows verbatim. */
    public static final String QMP_PREFIX = "io.drover.qmp.";
    /** QMP {@code MIGRATION}. */
    public static final String QMP_MIGRATION = QMP_PREFIX + MigrationEvent.NAME;
    /** QMP {@code MIGRATION_PASS}. */
    public static final String QMP_MIGRATION_PASS = QMP_PREFIX + MigrationPassEvent.NAME;
    /** QMP {@code STOP}. */
    public static final String QMP_STOP = QMP_PREFIX + StopEvent.NAME;
    /** QMP {@code RESUME}. */
    public static final String QMP_RESUME = QMP_PREFIX + ResumeEvent.NAME;
    /** QMP {@code JOB_STATUS_CHANGE}. */
    public static final String QMP_JOB_STATUS_CHANGE = QMP_PREFIX + JobStatusChangeEvent.NAME;
    /** QMP {@code COLO_EXIT}. */
    public static final String QMP_COLO_EXIT = QMP_PREFIX + ColoExitEvent.NAME;
    /** A {@code query-migrate} sample, {@link MigrationSample}. */
    public static final String MIGRATION_SAMPLE = "io.drover.migration.sample";
    /** The summary of a finished migration, {@link MigrationOutcome}. */
    public static final String MIGRATION_OUTCOME = "io.drover.migration.outcome";
    /** A command to an agent ({@link AgentCommand}). */
    public static final String AGENT_COMMAND = "io.drover.agent.command";
    /** An agent's answer to a command ({@link CommandResult}). */
    public static final String COMMAND_RESULT = "io.drover.agent.command-result";
    /** An agent registered ({@link HostStatus}). */
    public static final String HOST_REGISTERED = "io.drover.host.registered";
    /** An agent is alive ({@link HostStatus}). */
    public static final String HOST_HEARTBEAT = "io.drover.host.heartbeat";
    /** A step the coordinator took in a migration ({@link CoordinatorDecision}). */
    public static final String COORDINATOR_DECISION = "io.drover.coordinator.decision";

    private static final Map<String, Class<?>> DATA_CLASSES = Map.ofEntries(
            Map.entry(MIGRATION_SAMPLE, MigrationSample.class),
            Map.entry(MIGRATION_OUTCOME, MigrationOutcome.class),
            Map.entry(AGENT_COMMAND, AgentCommand.class),
            Map.entry(COMMAND_RESULT, CommandResult.class),
            Map.entry(HOST_REGISTERED, HostStatus.class),
            Map.entry(HOST_HEARTBEAT, HostStatus.class),
            Map.entry(COORDINATOR_DECISION, CoordinatorDecision.class));

    private RecordTypes() {
    }

    /** The type of a forwarded QMP event: {@code qmp("MIGRATION")} is {@value #QMP_MIGRATION}. */
    public static String qmp(String eventName) {
        if (eventName == null || eventName.isEmpty()) {
            throw new IllegalArgumentException("QMP event name must not be empty");
        }
        return QMP_PREFIX + eventName;
    }

    /** True for {@code io.drover.qmp.<EVENT>} types. */
    public static boolean isQmp(String type) {
        return type != null && type.length() > QMP_PREFIX.length() && type.startsWith(QMP_PREFIX);
    }

    /**
     * The class of {@code data} for a record type (schema version {@link DroverRecord#CURRENT_SCHEMA_VERSION});
     * empty for a type this version of Drover does not know, whose data is then read as a {@code JsonNode}.
     */
    public static Optional<Class<?>> dataClass(String type) {
        if (isQmp(type)) {
            return Optional.of(QmpEventData.class);
        }
        return Optional.ofNullable(type == null ? null : DATA_CLASSES.get(type));
    }
}
