package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code MigrationCapability} (QAPI, since 1.2), as set by {@code migrate-set-capabilities} and
 * listed by {@code query-migrate-capabilities}. All 2017 (QEMU 2.11) members are here, including the
 * experimental {@code x-multifd} that QEMU 4.0 renamed to {@code multifd}; later members carry their
 * QEMU version. {@code compress} and {@code block} were removed in QEMU 9.1 but stay known here, since
 * Drover still meets older hosts.
 */
public final class MigrationCapability extends OpenEnum<MigrationCapability> {

    private static final Values<MigrationCapability> VALUES = new Values<>(MigrationCapability::new);

    /** XOR-based zero run-length encoding of page deltas (1.2). */
    public static final MigrationCapability XBZRLE = VALUES.known("xbzrle");

    /** mlock() the whole guest RAM up front for RDMA migration (2.0). */
    public static final MigrationCapability RDMA_PIN_ALL = VALUES.known("rdma-pin-all");

    /** Throttle the guest's vCPUs so RAM migration converges (1.6). */
    public static final MigrationCapability AUTO_CONVERGE = VALUES.known("auto-converge");

    /** Encode zero blocks efficiently during storage migration (1.6). */
    public static final MigrationCapability ZERO_BLOCKS = VALUES.known("zero-blocks");

    /** Multi-threaded page compression (2.4; removed in 9.1). */
    public static final MigrationCapability COMPRESS = VALUES.known("compress");

    /** Emit the {@code MIGRATION} event on each state change (2.4). */
    public static final MigrationCapability EVENTS = VALUES.known("events");

    /** Allow switching to postcopy with {@code migrate-start-postcopy} (2.6). */
    public static final MigrationCapability POSTCOPY_RAM = VALUES.known("postcopy-ram");

    /** COLO continuous replication, experimental (2.8). */
    public static final MigrationCapability X_COLO = VALUES.known("x-colo");

    /** Free migrated pages on the source during postcopy (2.9). */
    public static final MigrationCapability RELEASE_RAM = VALUES.known("release-ram");

    /** Also migrate block device contents (2.10; removed in 9.1). */
    public static final MigrationCapability BLOCK = VALUES.known("block");

    /** Use the return path even for precopy (2.10). */
    public static final MigrationCapability RETURN_PATH = VALUES.known("return-path");

    /** Pause in {@code pre-switchover} before device state and block inactivation (2.11). */
    public static final MigrationCapability PAUSE_BEFORE_SWITCHOVER = VALUES.known("pause-before-switchover");

    /** Experimental multiple-fd migration (2.11; renamed {@code multifd} in 4.0). */
    public static final MigrationCapability X_MULTIFD = VALUES.known("x-multifd");

    /** Migrate over several channels in parallel (4.0; was {@code x-multifd}). */
    public static final MigrationCapability MULTIFD = VALUES.known("multifd");

    /** Migrate named block dirty bitmaps (2.12). */
    public static final MigrationCapability DIRTY_BITMAPS = VALUES.known("dirty-bitmaps");

    /** Measure vCPU block time during postcopy (3.0). */
    public static final MigrationCapability POSTCOPY_BLOCKTIME = VALUES.known("postcopy-blocktime");

    /** Destination activates block devices only when the guest is started (3.0). */
    public static final MigrationCapability LATE_BLOCK_ACTIVATE = VALUES.known("late-block-activate");

    /** Do not migrate shared memory the destination can reach, experimental (4.0). */
    public static final MigrationCapability X_IGNORE_SHARED = VALUES.known("x-ignore-shared");

    /** Send the source UUID so the destination can check it (4.2). */
    public static final MigrationCapability VALIDATE_UUID = VALUES.known("validate-uuid");

    /** The stream is a snapshot of RAM at migration start, with the VM running (6.0). */
    public static final MigrationCapability BACKGROUND_SNAPSHOT = VALUES.known("background-snapshot");

    /** Zero-copy sending of pages with multifd (7.1). */
    public static final MigrationCapability ZERO_COPY_SEND = VALUES.known("zero-copy-send");

    /** Postcopy page requests preempt the precopy stream on a separate channel (7.1). */
    public static final MigrationCapability POSTCOPY_PREEMPT = VALUES.known("postcopy-preempt");

    /** Wait for the destination's ACK before switchover; needs {@code return-path} (8.1). */
    public static final MigrationCapability SWITCHOVER_ACK = VALUES.known("switchover-ack");

    /** Throttle vCPUs with the dirty-limit mechanism instead of auto-converge (8.1). */
    public static final MigrationCapability DIRTY_LIMIT = VALUES.known("dirty-limit");

    /** Fixed per-page offsets in a seekable (file) migration stream (9.0). */
    public static final MigrationCapability MAPPED_RAM = VALUES.known("mapped-ram");

    private MigrationCapability(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MigrationCapability of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<MigrationCapability> values() {
        return VALUES.values();
    }
}
