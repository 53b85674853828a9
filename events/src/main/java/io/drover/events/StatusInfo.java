package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QEMU's {@code StatusInfo} (QAPI, since 0.14): the result of {@code query-status}, which the agent
 * reads to know where a VM is around {@code STOP} and {@code RESUME}.
 *
 * @param running    true if the vCPUs are running
 * @param singlestep true if single-stepping (deprecated in 8.1, gone later: optional here)
 * @param status     the run state
 */
public record StatusInfo(
        @JsonProperty("running") boolean running,
        @JsonProperty("singlestep") Boolean singlestep,
        @JsonProperty("status") RunState status) {

    public StatusInfo {
        Objects.requireNonNull(status, "status");
    }
}
