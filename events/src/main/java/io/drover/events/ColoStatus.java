package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code COLOStatus} (QAPI, since 3.1): the result of {@code query-colo-status}.
 *
 * @param mode     the current COLO mode
 * @param lastMode the mode before the last failover (4.0)
 * @param reason   why COLO last exited, {@code none} if it never did
 */
public record ColoStatus(
        @JsonProperty("mode") ColoMode mode,
        @JsonProperty("last-mode") ColoMode lastMode,
        @JsonProperty("reason") ColoExitReason reason) {
}
