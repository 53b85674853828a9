package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QEMU's {@code JobInfo} (QAPI, since 3.0): one element of {@code query-jobs}. Drover reads it for the
 * snapshot jobs of QEMU 6.0 ({@code snapshot-save}, {@code snapshot-load}, {@code snapshot-delete}),
 * whose progress is 0 or 1 of 1.
 *
 * @param id              the job identifier ({@code job-id} of the command that created it)
 * @param type            the kind of job
 * @param status          the job's status
 * @param currentProgress progress so far, in arbitrary units
 * @param totalProgress   estimated total, in the same units
 * @param error           the error, once concluded after a failure
 */
public record JobInfo(
        @JsonProperty("id") String id,
        @JsonProperty("type") JobType type,
        @JsonProperty("status") JobStatus status,
        @JsonProperty("current-progress") long currentProgress,
        @JsonProperty("total-progress") long totalProgress,
        @JsonProperty("error") String error) {

    public JobInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
    }
}
