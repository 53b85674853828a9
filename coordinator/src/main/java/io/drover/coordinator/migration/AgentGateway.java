package io.drover.coordinator.migration;

import io.drover.events.AgentCommand;

/**
 * Where the coordinator's entities send {@link AgentCommand}s (in production: Kafka, topic
 * {@code drover.agent.commands}, keyed by host id). Sending is fire-and-forget and may be repeated:
 * agents deduplicate by {@link AgentCommand#commandId()}, so a command re-sent after a recovery must
 * carry the id it was first sent with.
 */
@FunctionalInterface
public interface AgentGateway {
    void send(AgentCommand command);
}
