package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * The names of QEMU's migration parameters ({@code MigrationParameter}, QAPI since 2.4): the keys of
 * {@code migrate-set-parameters} and {@code query-migrate-parameters}. All 2017 (QEMU 2.11) names are
 * here, including {@code x-multifd-channels} and {@code x-multifd-page-count} (both replaced in 4.0),
 * plus the later ones with their QEMU version. The compression ones and {@code block-incremental} were
 * removed in QEMU 9.1. {@link MigrationParameters} carries the values.
 */
public final class MigrationParameter extends OpenEnum<MigrationParameter> {

    private static final Values<MigrationParameter> VALUES = new Values<>(MigrationParameter::new);

    /** Initial delay in ms before the first self-announce (4.0). */
    public static final MigrationParameter ANNOUNCE_INITIAL = VALUES.known("announce-initial");

    /** Maximum delay in ms between self-announce packets (4.0). */
    public static final MigrationParameter ANNOUNCE_MAX = VALUES.known("announce-max");

    /** Number of self-announce packets after migration (4.0). */
    public static final MigrationParameter ANNOUNCE_ROUNDS = VALUES.known("announce-rounds");

    /** Increase in delay in ms between self-announce packets (4.0). */
    public static final MigrationParameter ANNOUNCE_STEP = VALUES.known("announce-step");

    /** Compression level 0-9 (2.4; removed in 9.1). */
    public static final MigrationParameter COMPRESS_LEVEL = VALUES.known("compress-level");

    /** Compression thread count (2.4; removed in 9.1). */
    public static final MigrationParameter COMPRESS_THREADS = VALUES.known("compress-threads");

    /** Decompression thread count (2.4; removed in 9.1). */
    public static final MigrationParameter DECOMPRESS_THREADS = VALUES.known("decompress-threads");

    /** Wait for a free compression thread (4.0; removed in 9.1). */
    public static final MigrationParameter COMPRESS_WAIT_THREAD = VALUES.known("compress-wait-thread");

    /** Dirty/transferred ratio in percent that triggers throttling (5.0). */
    public static final MigrationParameter THROTTLE_TRIGGER_THRESHOLD = VALUES.known("throttle-trigger-threshold");

    /** Initial auto-converge throttle percentage (2.7). */
    public static final MigrationParameter CPU_THROTTLE_INITIAL = VALUES.known("cpu-throttle-initial");

    /** Auto-converge throttle increment in percent (2.7). */
    public static final MigrationParameter CPU_THROTTLE_INCREMENT = VALUES.known("cpu-throttle-increment");

    /** Slower throttle increments at the tail stage (5.1). */
    public static final MigrationParameter CPU_THROTTLE_TAILSLOW = VALUES.known("cpu-throttle-tailslow");

    /** ID of the tls-creds object; empty string means plain text (2.7). */
    public static final MigrationParameter TLS_CREDS = VALUES.known("tls-creds");

    /** Hostname to validate the destination's x509 certificate against (2.7). */
    public static final MigrationParameter TLS_HOSTNAME = VALUES.known("tls-hostname");

    /** ID of the authz object checking the TLS client's distinguished name (4.0). */
    public static final MigrationParameter TLS_AUTHZ = VALUES.known("tls-authz");

    /** Maximum migration speed in bytes per second (2.8). */
    public static final MigrationParameter MAX_BANDWIDTH = VALUES.known("max-bandwidth");

    /** Maximum tolerated downtime in milliseconds (2.8). */
    public static final MigrationParameter DOWNTIME_LIMIT = VALUES.known("downtime-limit");

    /** Delay in ms between two COLO checkpoints, experimental (2.8). */
    public static final MigrationParameter X_CHECKPOINT_DELAY = VALUES.known("x-checkpoint-delay");

    /** Migrate only the active qcow2 layer with block migration (2.10; removed in 9.1). */
    public static final MigrationParameter BLOCK_INCREMENTAL = VALUES.known("block-incremental");

    /** Experimental multifd channel count (2.11; replaced by {@code multifd-channels} in 4.0). */
    public static final MigrationParameter X_MULTIFD_CHANNELS = VALUES.known("x-multifd-channels");

    /** Experimental multifd pages per packet (2.11; removed in 4.0). */
    public static final MigrationParameter X_MULTIFD_PAGE_COUNT = VALUES.known("x-multifd-page-count");

    /** Number of parallel multifd channels (4.0). */
    public static final MigrationParameter MULTIFD_CHANNELS = VALUES.known("multifd-channels");

    /** XBZRLE cache size in bytes, a power of 2 (2.11). */
    public static final MigrationParameter XBZRLE_CACHE_SIZE = VALUES.known("xbzrle-cache-size");

    /** Background bandwidth during postcopy in bytes per second, 0 = unlimited (3.0). */
    public static final MigrationParameter MAX_POSTCOPY_BANDWIDTH = VALUES.known("max-postcopy-bandwidth");

    /** Maximum auto-converge throttle percentage (3.1). */
    public static final MigrationParameter MAX_CPU_THROTTLE = VALUES.known("max-cpu-throttle");

    /** Multifd compression method, see {@link MultiFdCompression} (5.0). */
    public static final MigrationParameter MULTIFD_COMPRESSION = VALUES.known("multifd-compression");

    /** Multifd zlib level 0-9 (5.0). */
    public static final MigrationParameter MULTIFD_ZLIB_LEVEL = VALUES.known("multifd-zlib-level");

    /** Multifd zstd level 0-20 (5.0). */
    public static final MigrationParameter MULTIFD_ZSTD_LEVEL = VALUES.known("multifd-zstd-level");

    /** Block node and bitmap aliases for dirty-bitmap migration (5.2). */
    public static final MigrationParameter BLOCK_BITMAP_MAPPING = VALUES.known("block-bitmap-mapping");

    /** Bandwidth assumed available at switchover, for the switchover decision (8.2). */
    public static final MigrationParameter AVAIL_SWITCHOVER_BANDWIDTH = VALUES.known("avail-switchover-bandwidth");

    /** Dirty-limit period in ms, experimental (8.1). */
    public static final MigrationParameter X_VCPU_DIRTY_LIMIT_PERIOD = VALUES.known("x-vcpu-dirty-limit-period");

    /** Dirty-rate limit in MB/s during migration (8.1). */
    public static final MigrationParameter VCPU_DIRTY_LIMIT = VALUES.known("vcpu-dirty-limit");

    /** Migration mode, e.g. normal or cpr-reboot (8.2). */
    public static final MigrationParameter MODE = VALUES.known("mode");

    /** Whether and where zero pages are detected (9.0). */
    public static final MigrationParameter ZERO_PAGE_DETECTION = VALUES.known("zero-page-detection");

    /** Open migration files with O_DIRECT (9.1). */
    public static final MigrationParameter DIRECT_IO = VALUES.known("direct-io");

    private MigrationParameter(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MigrationParameter of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<MigrationParameter> values() {
        return VALUES.values();
    }
}
