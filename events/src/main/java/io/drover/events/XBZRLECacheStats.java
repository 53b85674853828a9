package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code XBZRLECacheStats} (QAPI, since 1.2): the {@code xbzrle-cache} member of
 * {@code query-migrate}, present while the {@code xbzrle} capability is on. Note that QEMU writes whole
 * numbers for the {@code number} members ({@code "cache-miss-rate": 0}).
 *
 * @param cacheSize     XBZRLE cache size in bytes
 * @param bytes         bytes transferred XBZRLE-encoded
 * @param pages         pages transferred XBZRLE-encoded
 * @param cacheMiss     number of cache misses
 * @param cacheMissRate rate of cache misses (2.1)
 * @param encodingRate  rate of encoded bytes (5.1)
 * @param overflow      number of overflows
 */
public record XBZRLECacheStats(
        @JsonProperty("cache-size") Long cacheSize,
        @JsonProperty("bytes") Long bytes,
        @JsonProperty("pages") Long pages,
        @JsonProperty("cache-miss") Long cacheMiss,
        @JsonProperty("cache-miss-rate") Double cacheMissRate,
        @JsonProperty("encoding-rate") Double encodingRate,
        @JsonProperty("overflow") Long overflow) {
}
