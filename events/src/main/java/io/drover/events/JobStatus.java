package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code JobStatus} (QAPI; since 2.12 as {@code BlockJobStatus}, generic since 3.0): the
 * {@code status} of {@code JOB_STATUS_CHANGE} and {@code query-jobs}. Snapshot jobs (QEMU 6.0) go
 * {@code created -> running -> waiting -> pending -> concluded}, and {@code null} once dismissed.
 */
public final class JobStatus extends OpenEnum<JobStatus> {

    private static final Values<JobStatus> VALUES = new Values<>(JobStatus::new);

    /** Erroneous default state; should not be observed. */
    public static final JobStatus UNDEFINED = VALUES.known("undefined");

    /** The job has been created but not started. */
    public static final JobStatus CREATED = VALUES.known("created");

    /** The job is running. */
    public static final JobStatus RUNNING = VALUES.known("running");

    /** The job is paused. */
    public static final JobStatus PAUSED = VALUES.known("paused");

    /** The job is running but ready to be completed (mirror-like jobs). */
    public static final JobStatus READY = VALUES.known("ready");

    /** The job is ready but paused. */
    public static final JobStatus STANDBY = VALUES.known("standby");

    /** The job is waiting for other jobs in its transaction. */
    public static final JobStatus WAITING = VALUES.known("waiting");

    /** The job has finished its work and waits for finalisation. */
    public static final JobStatus PENDING = VALUES.known("pending");

    /** The job is being aborted. */
    public static final JobStatus ABORTING = VALUES.known("aborting");

    /** The job has finished and waits to be dismissed; {@code query-jobs} shows any error. */
    public static final JobStatus CONCLUDED = VALUES.known("concluded");

    /** The job is gone (dismissed); this is the raw string {@code "null"}, not JSON null. */
    public static final JobStatus NULL = VALUES.known("null");

    private JobStatus(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static JobStatus of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<JobStatus> values() {
        return VALUES.values();
    }
}
