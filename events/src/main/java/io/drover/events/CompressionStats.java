package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code CompressionStats} (QAPI, since 3.1; removed with the {@code compress} capability in
 * 9.1): the {@code compression} member of {@code query-migrate}.
 *
 * @param pages           pages compressed and transferred
 * @param busy            times no free compression thread was available
 * @param busyRate        rate of thread busy
 * @param compressedSize  bytes after compression
 * @param compressionRate rate of compressed size
 */
public record CompressionStats(
        @JsonProperty("pages") Long pages,
        @JsonProperty("busy") Long busy,
        @JsonProperty("busy-rate") Double busyRate,
        @JsonProperty("compressed-size") Long compressedSize,
        @JsonProperty("compression-rate") Double compressionRate) {
}
