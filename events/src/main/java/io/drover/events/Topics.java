package io.drover.events;

/**
 * Kafka topic names of the Drover contract.
 *
 * <p>Every record on these topics is a {@link DroverRecord} in CloudEvents 1.0 structured mode: the value
 * is the JSON written by {@link DroverRecordSerializer} (Kafka header {@code content-type:
 * application/cloudevents+json; charset=UTF-8}), the <b>key is the VM id</b> as a UTF-8 string
 * ({@code StringSerializer}), equal to the record's {@code subject} ({@link DroverRecord#key()}). Keying by
 * VM keeps all records of one VM, from source and destination agents alike, in one partition and so in
 * order.
 */
public final class Topics {

    /** Everything agents publish: forwarded QMP events, migration samples and outcomes. */
    public static final String AGENT_EVENTS = "drover.agent.events";
    /** Commands to agents ({@link AgentCommand}), keyed by the target host id. */
    public static final String AGENT_COMMANDS = "drover.agent.commands";
    /** Agents' answers ({@link CommandResult}), keyed by host id. */
    public static final String AGENT_RESULTS = "drover.agent.results";
    /** Agents' registrations and heartbeats ({@link HostStatus}), keyed by host id. */
    public static final String HOSTS = "drover.hosts";
    /** The coordinator's decisions (one record per decision it takes), keyed by VM id. */
    public static final String COORDINATOR_DECISIONS = "drover.coordinator.decisions";

    private Topics() {
    }
}
