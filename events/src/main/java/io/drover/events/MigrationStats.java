package io.drover.events;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * QEMU's {@code MigrationStats} (QAPI, since 0.14): the {@code ram} (and, for block migration, the
 * {@code disk}) member of {@code query-migrate}. Every member is boxed: QEMU versions differ in what
 * they send (2017's disk statistics carry only {@code total}, {@code remaining} and
 * {@code transferred}), and an absent member stays absent when written back.
 *
 * @param transferred             bytes already transferred to the target (0.14)
 * @param remaining               bytes remaining to be transferred (0.14)
 * @param total                   total bytes involved in the migration (0.14)
 * @param duplicate               number of duplicate (zero) pages (1.2)
 * @param skipped                 number of skipped zero pages (1.5; always 0 and dropped by later QEMU)
 * @param normal                  number of normal pages (1.2)
 * @param normalBytes             normal bytes sent (1.2)
 * @param dirtyPagesRate          pages dirtied per second by the guest (1.3)
 * @param mbps                    throughput in megabits per second (1.6)
 * @param dirtySyncCount          times dirty RAM was synchronised, i.e. passes so far (2.1)
 * @param postcopyRequests        page requests received from the destination (2.7)
 * @param pageSize                bytes per page for the page-based statistics (2.10)
 * @param multifdBytes            bytes sent through multifd (3.0)
 * @param pagesPerSecond          pages transferred per second (4.0)
 * @param precopyBytes            bytes sent in the precopy phase (7.0)
 * @param downtimeBytes           bytes sent while the guest was paused (7.0)
 * @param postcopyBytes           bytes sent in the postcopy phase (7.0)
 * @param dirtySyncMissedZeroCopy dirty syncs that could not avoid copying pages (7.1)
 * @param extras                  members newer than this record, kept verbatim (see {@link Extras})
 */
public record MigrationStats(
        @JsonProperty("transferred") Long transferred,
        @JsonProperty("remaining") Long remaining,
        @JsonProperty("total") Long total,
        @JsonProperty("duplicate") Long duplicate,
        @JsonProperty("skipped") Long skipped,
        @JsonProperty("normal") Long normal,
        @JsonProperty("normal-bytes") Long normalBytes,
        @JsonProperty("dirty-pages-rate") Long dirtyPagesRate,
        @JsonProperty("mbps") Double mbps,
        @JsonProperty("dirty-sync-count") Long dirtySyncCount,
        @JsonProperty("postcopy-requests") Long postcopyRequests,
        @JsonProperty("page-size") Long pageSize,
        @JsonProperty("multifd-bytes") Long multifdBytes,
        @JsonProperty("pages-per-second") Long pagesPerSecond,
        @JsonProperty("precopy-bytes") Long precopyBytes,
        @JsonProperty("downtime-bytes") Long downtimeBytes,
        @JsonProperty("postcopy-bytes") Long postcopyBytes,
        @JsonProperty("dirty-sync-missed-zero-copy") Long dirtySyncMissedZeroCopy,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extras) {

    public MigrationStats {
        extras = Extras.copyOf(extras);
    }

    /** The three members of 2017's block-migration {@code disk} statistics; everything else absent. */
    public static MigrationStats ofDisk(long total, long remaining, long transferred) {
        return new MigrationStats(transferred, remaining, total, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }
}
