package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * An agent's answer to one {@link AgentCommand}: the {@code data} of records of type
 * {@link RecordTypes#COMMAND_RESULT} on {@link Topics#AGENT_RESULTS}, keyed by host id.
 * A repeated command id gets the first result again, with {@code duplicate} set.
 *
 * @param command   the command's kind, e.g. {@code "prepare-incoming"}
 * @param ok        whether it was executed
 * @param error     why not, naming what is wrong, when not ok
 * @param data      the command's own result (e.g. {@code {"uri": ...}}), may be null
 * @param duplicate true when this answers a redelivery of a command already executed
 */
public record CommandResult(
        @JsonProperty("commandId") String commandId,
        @JsonProperty("hostId") String hostId,
        @JsonProperty("vmId") String vmId,
        @JsonProperty("command") String command,
        @JsonProperty("ok") boolean ok,
        @JsonProperty("error") String error,
        @JsonProperty("data") JsonNode data,
        @JsonProperty("duplicate") boolean duplicate) {
    public CommandResult {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(command, "command");
    }
}
