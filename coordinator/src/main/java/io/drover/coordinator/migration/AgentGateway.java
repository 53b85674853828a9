package io.drover.coordinator.migration;

import io.drover.events.AgentCommand;
import io.drover.events.CoordinatorDecision;
import io.drover.events.DroverRecord;

/**
 * Where the coordinator's entities send {@link AgentCommand}s (in production: Kafka, topic
 * {@code drover.agent.commands}, keyed by host id). Sending is fire-and-forget and may be repeated:
 * agents deduplicate by {@link AgentCommand#commandId()}, so a command re-sent after a recovery must
 * carry the id it was first sent with.
 */
@FunctionalInterface
public interface AgentGateway {
    void send(AgentCommand command);

    /**
     * Publishes one of the coordinator's decisions (topic {@code drover.coordinator.decisions}, keyed by VM id), and
     * returns once Kafka has it: the read model's projection calls this for every migration event but the progress
     * samples, and records that event as done only after it returns. It may be called again for the same decision
     * (after a restart): the record's id is the same each time. Without Kafka, decisions stay in the journal only.
     *
     * @throws RuntimeException when the record could not be published; the projection then retries
     */
    default void publish(DroverRecord<CoordinatorDecision> decision) {
    }
}
