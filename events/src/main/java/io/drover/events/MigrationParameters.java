package io.drover.events;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * QEMU's {@code MigrationParameters} (QAPI, since 2.4): the result of {@code query-migrate-parameters},
 * and the shape of {@code migrate-set-parameters}' arguments. Every member is optional and boxed: absent
 * means absent (QEMU 2.8 omitted an empty {@code tls-creds}; old QEMU lacks the newer members; a
 * {@code migrate-set-parameters} call names only what it changes).
 *
 * <p>Typed members are every 2017 (QEMU 2.11) parameter and every parameter of QEMU 7.2, each with the
 * QEMU version that added it. Later parameters (8.1+: {@code vcpu-dirty-limit}, {@code mode},
 * {@code zero-page-detection}, ...) and anything newer are kept verbatim in {@link #extras()}, so nothing
 * is lost on a round trip. {@link #of(Map)} builds an instance from parameter names.
 *
 * <p>Not modelled: {@code MigrateSetParameters} accepts JSON {@code null} for {@code tls-creds} and
 * {@code tls-hostname} (StrOrNull, "reset"); this record omits nulls, so send {@code ""} instead, which
 * QEMU treats the same.
 *
 * @param announceInitial          initial self-announce delay in ms (4.0)
 * @param announceMax              maximum delay between self-announce packets in ms (4.0)
 * @param announceRounds           number of self-announce packets (4.0)
 * @param announceStep             delay increase between self-announce packets in ms (4.0)
 * @param compressLevel            compression level 0-9 (2.4; removed in 9.1)
 * @param compressThreads          compression threads (2.4; removed in 9.1)
 * @param decompressThreads        decompression threads (2.4; removed in 9.1)
 * @param compressWaitThread       wait for a free compression thread (4.0; removed in 9.1)
 * @param throttleTriggerThreshold dirty/transferred ratio in percent that triggers throttling (5.0)
 * @param cpuThrottleInitial       initial auto-converge throttle in percent (2.7)
 * @param cpuThrottleIncrement     auto-converge throttle increment in percent (2.7)
 * @param cpuThrottleTailslow      slower throttling at the tail stage (5.1)
 * @param tlsCreds                 tls-creds object ID; {@code ""} = plain text (2.7)
 * @param tlsHostname              hostname for validating the destination's certificate (2.7)
 * @param tlsAuthz                 authz object ID for the TLS client's DN (4.0)
 * @param maxBandwidth             maximum speed in bytes per second (2.8)
 * @param downtimeLimit            maximum tolerated downtime in ms (2.8)
 * @param xCheckpointDelay         COLO checkpoint period in ms, experimental (2.8)
 * @param blockIncremental         migrate only the active qcow2 layer (2.10; removed in 9.1)
 * @param xMultifdChannels         multifd channels, experimental (2.11; {@code multifd-channels} since 4.0)
 * @param xMultifdPageCount        multifd pages per packet, experimental (2.11; removed in 4.0)
 * @param multifdChannels          parallel multifd channels (4.0)
 * @param xbzrleCacheSize          XBZRLE cache size in bytes (2.11)
 * @param maxPostcopyBandwidth     background postcopy bandwidth in bytes per second, 0 = unlimited (3.0)
 * @param maxCpuThrottle           maximum throttle in percent (3.1)
 * @param multifdCompression       multifd compression method (5.0)
 * @param multifdZlibLevel         multifd zlib level (5.0)
 * @param multifdZstdLevel         multifd zstd level (5.0)
 * @param blockBitmapMapping       list of {@code BitmapMigrationNodeAlias} objects, kept as JSON (5.2)
 * @param extras                   parameters newer than this record, kept verbatim (see {@link Extras})
 */
public record MigrationParameters(
        @JsonProperty("announce-initial") Long announceInitial,
        @JsonProperty("announce-max") Long announceMax,
        @JsonProperty("announce-rounds") Long announceRounds,
        @JsonProperty("announce-step") Long announceStep,
        @JsonProperty("compress-level") Long compressLevel,
        @JsonProperty("compress-threads") Long compressThreads,
        @JsonProperty("decompress-threads") Long decompressThreads,
        @JsonProperty("compress-wait-thread") Boolean compressWaitThread,
        @JsonProperty("throttle-trigger-threshold") Long throttleTriggerThreshold,
        @JsonProperty("cpu-throttle-initial") Long cpuThrottleInitial,
        @JsonProperty("cpu-throttle-increment") Long cpuThrottleIncrement,
        @JsonProperty("cpu-throttle-tailslow") Boolean cpuThrottleTailslow,
        @JsonProperty("tls-creds") String tlsCreds,
        @JsonProperty("tls-hostname") String tlsHostname,
        @JsonProperty("tls-authz") String tlsAuthz,
        @JsonProperty("max-bandwidth") Long maxBandwidth,
        @JsonProperty("downtime-limit") Long downtimeLimit,
        @JsonProperty("x-checkpoint-delay") Long xCheckpointDelay,
        @JsonProperty("block-incremental") Boolean blockIncremental,
        @JsonProperty("x-multifd-channels") Long xMultifdChannels,
        @JsonProperty("x-multifd-page-count") Long xMultifdPageCount,
        @JsonProperty("multifd-channels") Long multifdChannels,
        @JsonProperty("xbzrle-cache-size") Long xbzrleCacheSize,
        @JsonProperty("max-postcopy-bandwidth") Long maxPostcopyBandwidth,
        @JsonProperty("max-cpu-throttle") Long maxCpuThrottle,
        @JsonProperty("multifd-compression") MultiFdCompression multifdCompression,
        @JsonProperty("multifd-zlib-level") Long multifdZlibLevel,
        @JsonProperty("multifd-zstd-level") Long multifdZstdLevel,
        @JsonProperty("block-bitmap-mapping") JsonNode blockBitmapMapping,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extras) {

    public MigrationParameters {
        extras = Extras.copyOf(extras);
    }

    /**
     * Parameters from names to values, e.g. for {@code migrate-set-parameters}:
     * {@code of(Map.of(MigrationParameter.MAX_BANDWIDTH, 134217728L, MigrationParameter.MULTIFD_CHANNELS, 4))}.
     * Values are converted as their JSON would be read; unknown names end up in {@link #extras()}.
     *
     * @throws IllegalArgumentException if a value does not fit its parameter's type
     */
    public static MigrationParameters of(Map<MigrationParameter, ?> values) {
        return Json.mapper().convertValue(values, MigrationParameters.class);
    }
}
