package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QMP event {@code JOB_STATUS_CHANGE} (QEMU 3.0): a background job changed status. Snapshot jobs
 * (QEMU 6.0) are followed through it: {@code {"status": "created", "id": "snapsave0"}}.
 *
 * @param id     the job identifier (mandatory)
 * @param status the new status (mandatory)
 */
public record JobStatusChangeEvent(
        @JsonProperty("id") String id,
        @JsonProperty("status") JobStatus status) implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "JOB_STATUS_CHANGE";

    public JobStatusChangeEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String eventName() {
        return NAME;
    }
}
