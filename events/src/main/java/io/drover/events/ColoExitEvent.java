package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QMP event {@code COLO_EXIT} (QEMU 3.1): the VM left COLO mode, after an error or on request.
 * Data: {@code {"mode": "primary", "reason": "request"}}.
 *
 * @param mode   the COLO mode when COLO exited (mandatory)
 * @param reason why (mandatory)
 */
public record ColoExitEvent(
        @JsonProperty("mode") ColoMode mode,
        @JsonProperty("reason") ColoExitReason reason) implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "COLO_EXIT";

    public ColoExitEvent {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String eventName() {
        return NAME;
    }
}
