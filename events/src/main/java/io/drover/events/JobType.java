package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code JobType} (QAPI, since 1.7): the {@code type} of a {@code query-jobs} entry. The snapshot
 * jobs came with QEMU 6.0 ({@code snapshot-save}, {@code snapshot-load}, {@code snapshot-delete}).
 */
public final class JobType extends OpenEnum<JobType> {

    private static final Values<JobType> VALUES = new Values<>(JobType::new);

    /** Block commit job. */
    public static final JobType COMMIT = VALUES.known("commit");

    /** Block stream job. */
    public static final JobType STREAM = VALUES.known("stream");

    /** Drive or block mirror job. */
    public static final JobType MIRROR = VALUES.known("mirror");

    /** Drive or block backup job. */
    public static final JobType BACKUP = VALUES.known("backup");

    /** Image creation job, {@code blockdev-create} (3.0). */
    public static final JobType CREATE = VALUES.known("create");

    /** Image options amend job, {@code x-blockdev-amend} (5.1). */
    public static final JobType AMEND = VALUES.known("amend");

    /** VM snapshot load job, {@code snapshot-load} (6.0). */
    public static final JobType SNAPSHOT_LOAD = VALUES.known("snapshot-load");

    /** VM snapshot save job, {@code snapshot-save} (6.0). */
    public static final JobType SNAPSHOT_SAVE = VALUES.known("snapshot-save");

    /** VM snapshot delete job, {@code snapshot-delete} (6.0). */
    public static final JobType SNAPSHOT_DELETE = VALUES.known("snapshot-delete");

    private JobType(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static JobType of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<JobType> values() {
        return VALUES.values();
    }
}
