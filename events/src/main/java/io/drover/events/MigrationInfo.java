package io.drover.events;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * QEMU's {@code MigrationInfo} (QAPI, since 0.14): the result of {@code query-migrate}, on the source or
 * the destination. Every member is optional; {@code {}} means no migration has been initiated. Members
 * not modelled here (a newer QEMU's) are kept in {@link #extras()} and written back unchanged.
 *
 * <p>The 2017 QAPI examples show {@code total-time}, {@code setup-time}, {@code downtime} and
 * {@code expected-downtime} inside {@code ram}; that was a documentation error (fixed upstream): QEMU
 * has always sent them at this level. If a document does put them inside {@code ram}, they land in
 * {@link MigrationStats#extras()} rather than being lost.
 *
 * @param status                        the migration status; absent before any migration (2.3)
 * @param ram                           RAM statistics, while active or once completed (0.14)
 * @param disk                          block-migration statistics, with the {@code block} capability
 *                                      (0.14; removed in 9.1)
 * @param vfio                          VFIO device statistics (5.2)
 * @param xbzrleCache                   XBZRLE statistics, with the {@code xbzrle} capability (1.2)
 * @param totalTime                     ms since the migration started, or its total time once ended (1.2)
 * @param expectedDowntime              expected downtime in ms, while active (1.3)
 * @param downtime                      actual downtime in ms, only once completed (1.3)
 * @param setupTime                     ms of setup before the iterations began (1.6)
 * @param cpuThrottlePercentage         current auto-converge throttle, once throttling started (2.7)
 * @param errorDesc                     human-readable error, when {@code failed}; do not parse (2.7)
 * @param blockedReasons                why an outgoing migration is blocked (6.0)
 * @param postcopyBlocktime             total ms all vCPUs were blocked in postcopy, with the
 *                                      {@code postcopy-blocktime} capability (3.0)
 * @param postcopyVcpuBlocktime         per-vCPU postcopy block time in ms (3.0)
 * @param compression                   compression statistics, with {@code compress} (3.1; removed in 9.1)
 * @param socketAddress                 the addresses actually listened on, destination only (4.0)
 * @param dirtyLimitThrottleTimePerRound max vCPU throttle time per dirty-ring-full round in µs, with
 *                                      {@code dirty-limit} (8.1)
 * @param dirtyLimitRingFullTime        estimated dirty-ring-full time per round in µs (8.1)
 * @param extras                        members newer than this record, kept verbatim (see {@link Extras})
 */
public record MigrationInfo(
        @JsonProperty("status") MigrationStatus status,
        @JsonProperty("ram") MigrationStats ram,
        @JsonProperty("disk") MigrationStats disk,
        @JsonProperty("vfio") VfioStats vfio,
        @JsonProperty("xbzrle-cache") XBZRLECacheStats xbzrleCache,
        @JsonProperty("total-time") Long totalTime,
        @JsonProperty("expected-downtime") Long expectedDowntime,
        @JsonProperty("downtime") Long downtime,
        @JsonProperty("setup-time") Long setupTime,
        @JsonProperty("cpu-throttle-percentage") Long cpuThrottlePercentage,
        @JsonProperty("error-desc") String errorDesc,
        @JsonProperty("blocked-reasons") List<String> blockedReasons,
        @JsonProperty("postcopy-blocktime") Long postcopyBlocktime,
        @JsonProperty("postcopy-vcpu-blocktime") List<Long> postcopyVcpuBlocktime,
        @JsonProperty("compression") CompressionStats compression,
        @JsonProperty("socket-address") List<SocketAddress> socketAddress,
        @JsonProperty("dirty-limit-throttle-time-per-round") Long dirtyLimitThrottleTimePerRound,
        @JsonProperty("dirty-limit-ring-full-time") Long dirtyLimitRingFullTime,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extras) {

    public MigrationInfo {
        blockedReasons = blockedReasons == null ? null : List.copyOf(blockedReasons);
        postcopyVcpuBlocktime = postcopyVcpuBlocktime == null ? null : List.copyOf(postcopyVcpuBlocktime);
        socketAddress = socketAddress == null ? null : List.copyOf(socketAddress);
        extras = Extras.copyOf(extras);
    }

    /** A result with only a status and, optionally, an error, like QEMU's answer after a failed migration. */
    public static MigrationInfo ofStatus(MigrationStatus status, String errorDesc) {
        return new MigrationInfo(status, null, null, null, null, null, null, null, null, null, errorDesc, null,
                null, null, null, null, null, null, null);
    }
}
