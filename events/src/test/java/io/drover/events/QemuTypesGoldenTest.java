package io.drover.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden tests of the QEMU QAPI mirrors, from QEMU 7.2's real answers and the 2017 QAPI examples. */
class QemuTypesGoldenTest {

    // ram of a real QEMU 7.2 query-migrate while active (max-bandwidth 150 kB/s)
    static final MigrationStats RAM_ACTIVE = new MigrationStats(
            223481L, 226951168L, 268967936L, // transferred, remaining, total
            10226L, 0L, 32L, 131072L, // duplicate, skipped, normal, normal-bytes
            0L, 1.2016800000000001, 1L, // dirty-pages-rate, mbps, dirty-sync-count
            0L, 4096L, 0L, 16670L, // postcopy-requests, page-size, multifd-bytes, pages-per-second
            223481L, 0L, 0L, 0L, // precopy-bytes, downtime-bytes, postcopy-bytes, dirty-sync-missed-zero-copy
            Map.of());

    static final MigrationStats RAM_COMPLETED = new MigrationStats(
            1062278L, 0L, 268967936L,
            65555L, 0L, 115L, 471040L,
            0L, 3.3400554568076788, 3L,
            0L, 4096L, 0L, 318273L,
            1045855L, 16423L, 0L, 0L,
            Map.of());

    static final SocketAddress INET_44444 = SocketAddress.inet("127.0.0.1", "44444", true, null);

    static final MigrationInfo DESTINATION_ACTIVE = new MigrationInfo(MigrationStatus.ACTIVE, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, List.of(INET_44444), null, null, null);

    @Test
    void migrationStats() {
        MigrationStats parsed = Golden.assertBothWays("migration-stats.json", RAM_ACTIVE, MigrationStats.class);
        assertEquals(223481L, parsed.transferred());
        assertEquals(1.20168, parsed.mbps(), 1e-9);
        assertEquals(16670L, parsed.pagesPerSecond());
        assertEquals(0L, parsed.dirtySyncMissedZeroCopy());
        assertTrue(parsed.extras().isEmpty());
    }

    @Test
    void diskStatsOf2017HaveOnlyThreeMembers() {
        MigrationStats parsed = Golden.assertBothWays("migration-stats-disk-2017.json",
                MigrationStats.ofDisk(20971520L, 20880384L, 91136L), MigrationStats.class);
        assertNull(parsed.normal(), "absent stays absent");
        assertNull(parsed.mbps());
    }

    @Test
    void xbzrleCacheStats() {
        XBZRLECacheStats parsed = Golden.assertBothWays("xbzrle-cache-stats.json",
                new XBZRLECacheStats(67108864L, 0L, 0L, 4L, 0.0, 0.0, 0L), XBZRLECacheStats.class);
        assertEquals(4L, parsed.cacheMiss());
        assertEquals(0.0, parsed.encodingRate());
    }

    @Test
    void xbzrleCacheStatsOf2017HaveNoEncodingRate() {
        XBZRLECacheStats parsed = Golden.assertBothWays("xbzrle-cache-stats-2017.json",
                new XBZRLECacheStats(67108864L, 20971520L, 2444343L, 2244L, 0.123, null, 34434L),
                XBZRLECacheStats.class);
        assertNull(parsed.encodingRate());
    }

    @Test
    void compressionStats() {
        Golden.assertBothWays("compression-stats.json",
                new CompressionStats(1021L, 3L, 0.0029, 1543210L, 3.67), CompressionStats.class);
    }

    @Test
    void vfioStats() {
        assertEquals(1048576L,
                Golden.assertBothWays("vfio-stats.json", new VfioStats(1048576L), VfioStats.class).transferred());
    }

    @Test
    void socketAddresses() {
        SocketAddress inet = Golden.assertBothWays("socket-address-inet.json", INET_44444, SocketAddress.class);
        assertEquals("44444", inet.port());
        SocketAddress unix = Golden.assertBothWays("socket-address-unix.json",
                new SocketAddress("unix", null, null, null, null, null, null, null, null,
                        "/run/drover/vm-42.migrate", false, true, null, null), SocketAddress.class);
        assertEquals(Boolean.FALSE, unix.linuxAbstract());
    }

    @Test
    void migrationInfoSourceActive() {
        MigrationInfo expected = new MigrationInfo(MigrationStatus.ACTIVE, RAM_ACTIVE, null, null,
                new XBZRLECacheStats(67108864L, 0L, 0L, 0L, 0.0, 0.0, 0L),
                1402L, 300L, null, 0L, null, null, null, null, null, null, null, null, null, Map.of());
        MigrationInfo parsed = Golden.assertBothWays("migration-info-source-active.json", expected,
                MigrationInfo.class);
        assertSame(MigrationStatus.ACTIVE, parsed.status());
        assertEquals(300L, parsed.expectedDowntime());
        assertNull(parsed.downtime(), "downtime only once completed");
    }

    @Test
    void migrationInfoSourceCompleted() {
        MigrationInfo expected = new MigrationInfo(MigrationStatus.COMPLETED, RAM_COMPLETED, null, null,
                new XBZRLECacheStats(67108864L, 0L, 0L, 4L, 0.0, 0.0, 0L),
                2813L, null, 1L, 0L, null, null, null, null, null, null, null, null, null, Map.of());
        MigrationInfo parsed = Golden.assertBothWays("migration-info-source-completed.json", expected,
                MigrationInfo.class);
        assertTrue(parsed.status().isTerminal());
        assertEquals(1L, parsed.downtime());
        assertEquals(3L, parsed.ram().dirtySyncCount());
    }

    @Test
    void migrationInfoDestinationActive() {
        MigrationInfo parsed = Golden.assertBothWays("migration-info-destination-active.json", DESTINATION_ACTIVE,
                MigrationInfo.class);
        assertEquals("127.0.0.1", parsed.socketAddress().get(0).host());
        assertNull(parsed.ram());
    }

    @Test
    void migrationInfoFailed() {
        MigrationInfo parsed = Golden.assertBothWays("migration-info-failed.json",
                MigrationInfo.ofStatus(MigrationStatus.FAILED,
                        "Failed to connect to '127.0.0.1:1': Connection refused"), MigrationInfo.class);
        assertTrue(parsed.errorDesc().contains("Connection refused"));
    }

    @Test
    void migrationInfoBeforeAnyMigrationIsEmpty() {
        MigrationInfo parsed = Golden.assertBothWays("migration-info-none.json", MigrationInfo.ofStatus(null, null),
                MigrationInfo.class);
        assertNull(parsed.status());
    }

    @Test
    void migrationInfo2017BlockMigration() {
        MigrationStats ram = new MigrationStats(3720L, 1053304L, 1057024L, 123L, null, 123L, 123456L, null, null,
                15L, null, null, null, null, null, null, null, null, Map.of());
        MigrationInfo expected = new MigrationInfo(MigrationStatus.ACTIVE, ram,
                MigrationStats.ofDisk(20971520L, 20880384L, 91136L), null, null,
                12345L, 12345L, null, 12345L, null, null, null, null, null, null, null, null, null, Map.of());
        Golden.assertBothWays("migration-info-2017-block.json", expected, MigrationInfo.class);
    }

    /**
     * The 2017 QAPI example 6 verbatim: times inside {@code ram} (a documentation error) and a stray
     * {@code capabilities} member. Nothing fails and nothing is lost.
     */
    @Test
    void migrationInfo2017SpecExampleKeepsMisplacedMembers() {
        Map<String, JsonNode> ramExtras = Map.of(
                "total-time", IntNode.valueOf(12345),
                "setup-time", IntNode.valueOf(12345),
                "expected-downtime", IntNode.valueOf(12345));
        MigrationStats ram = new MigrationStats(3720L, 1053304L, 1057024L, 10L, null, 3333L, 3412992L, null, null,
                15L, null, null, null, null, null, null, null, null, ramExtras);
        MigrationInfo expected = new MigrationInfo(MigrationStatus.ACTIVE, ram, null, null,
                new XBZRLECacheStats(67108864L, 20971520L, 2444343L, 2244L, 0.123, null, 34434L),
                null, null, null, null, null, null, null, null, null, null, null, null, null,
                Map.of("capabilities", Golden.parse("[{\"capability\": \"xbzrle\", \"state\": true}]")));
        MigrationInfo parsed = Golden.assertBothWays("migration-info-2017-spec-example-xbzrle.json", expected,
                MigrationInfo.class);
        assertNull(parsed.totalTime());
        assertEquals(12345, parsed.ram().extras().get("total-time").asInt());
    }

    @Test
    void migrationInfoEveryMember() {
        MigrationStats ram = new MigrationStats(8589934L, 4096L, 4295229440L, 1000L, 0L, 2097L, 8589312L, 120L,
                9415.6, 4L, 17L, 4096L, 6000000L, 260000L, 7000000L, 1000L, 1588934L, 2L, Map.of());
        MigrationInfo expected = new MigrationInfo(
                MigrationStatus.POSTCOPY_ACTIVE, ram,
                new MigrationStats(20971520L, 0L, 20971520L, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null, null, null),
                new VfioStats(1048576L),
                new XBZRLECacheStats(67108864L, 20971520L, 2444343L, 2244L, 0.123, 80.1, 34434L),
                5230L, 45L, 38L, 12L, 30L, "none so far",
                List.of("VFIO device doesn't support migration"),
                211L, List.of(100L, 111L),
                new CompressionStats(1021L, 3L, 0.0029, 1543210L, 3.67),
                List.of(new SocketAddress("unix", null, null, null, null, null, null, null, null,
                        "/run/drover/vm-42.migrate", null, null, null, null)),
                500L, 1200L, Map.of());
        MigrationInfo parsed = Golden.assertBothWays("migration-info-all-members.json", expected,
                MigrationInfo.class);
        assertTrue(parsed.status().isPostcopy());
        assertEquals(List.of(100L, 111L), parsed.postcopyVcpuBlocktime());
        assertEquals(30L, parsed.cpuThrottlePercentage());
    }

    @Test
    void migrationInfoKeepsMembersFromNewerQemu() {
        MigrationInfo parsed = Golden.read("migration-info-future-members.json", MigrationInfo.class);
        assertSame(MigrationStatus.ACTIVE, parsed.status());
        assertEquals(700L, parsed.totalTime());
        assertEquals(116991L, parsed.ram().transferred());
        assertEquals(Map.of("zero-pages", IntNode.valueOf(224)), parsed.ram().extras());
        assertEquals(List.of("switchover-estimate", "vendor-flags"), List.copyOf(parsed.extras().keySet()));
        Golden.assertSameJson(Golden.tree("migration-info-future-members.json"), Golden.written(parsed));
    }

    @Test
    void migrationCapabilityStatusList() {
        List<MigrationCapabilityStatus> expected = List.of(
                new MigrationCapabilityStatus(MigrationCapability.XBZRLE, true),
                new MigrationCapabilityStatus(MigrationCapability.RDMA_PIN_ALL, false),
                new MigrationCapabilityStatus(MigrationCapability.AUTO_CONVERGE, false),
                new MigrationCapabilityStatus(MigrationCapability.ZERO_BLOCKS, false),
                new MigrationCapabilityStatus(MigrationCapability.COMPRESS, false),
                new MigrationCapabilityStatus(MigrationCapability.EVENTS, true),
                new MigrationCapabilityStatus(MigrationCapability.POSTCOPY_RAM, false),
                new MigrationCapabilityStatus(MigrationCapability.X_COLO, false),
                new MigrationCapabilityStatus(MigrationCapability.RELEASE_RAM, false),
                new MigrationCapabilityStatus(MigrationCapability.BLOCK, false),
                new MigrationCapabilityStatus(MigrationCapability.RETURN_PATH, false),
                new MigrationCapabilityStatus(MigrationCapability.PAUSE_BEFORE_SWITCHOVER, false),
                new MigrationCapabilityStatus(MigrationCapability.MULTIFD, false),
                new MigrationCapabilityStatus(MigrationCapability.DIRTY_BITMAPS, false),
                new MigrationCapabilityStatus(MigrationCapability.POSTCOPY_BLOCKTIME, false),
                new MigrationCapabilityStatus(MigrationCapability.LATE_BLOCK_ACTIVATE, false),
                new MigrationCapabilityStatus(MigrationCapability.X_IGNORE_SHARED, false),
                new MigrationCapabilityStatus(MigrationCapability.VALIDATE_UUID, false),
                new MigrationCapabilityStatus(MigrationCapability.BACKGROUND_SNAPSHOT, false),
                new MigrationCapabilityStatus(MigrationCapability.ZERO_COPY_SEND, false),
                new MigrationCapabilityStatus(MigrationCapability.POSTCOPY_PREEMPT, false));
        List<MigrationCapabilityStatus> parsed = Golden.assertBothWays("migration-capability-status-list.json",
                expected, new TypeReference<>() { });
        assertTrue(parsed.stream().allMatch(c -> c.capability().isKnown()));
    }

    @Test
    void migrationCapabilityStatus2017() {
        Golden.assertBothWays("migration-capability-status-2017.json", List.of(
                new MigrationCapabilityStatus(MigrationCapability.XBZRLE, false),
                new MigrationCapabilityStatus(MigrationCapability.X_MULTIFD, true),
                new MigrationCapabilityStatus(MigrationCapability.PAUSE_BEFORE_SWITCHOVER, true)),
                new TypeReference<List<MigrationCapabilityStatus>>() { });
    }

    @Test
    void migrationCapabilityStatusRequiresBothMembers() {
        assertThrows(Exception.class,
                () -> Golden.MAPPER.readValue("{\"capability\": \"xbzrle\"}", MigrationCapabilityStatus.class));
        assertThrows(Exception.class,
                () -> Golden.MAPPER.readValue("{\"state\": true}", MigrationCapabilityStatus.class));
    }

    @Test
    void migrationParametersOfQemu72() {
        MigrationParameters expected = new MigrationParameters(
                50L, 550L, 5L, 100L, // announce-initial, -max, -rounds, -step
                1L, 8L, 2L, true, // compress-level, compress-threads, decompress-threads, compress-wait-thread
                50L, 20L, 10L, false, // throttle-trigger-threshold, cpu-throttle-initial, -increment, -tailslow
                "", "", "", // tls-creds, tls-hostname, tls-authz
                134217728L, 300L, 20000L, false, // max-bandwidth, downtime-limit, x-checkpoint-delay, block-incr.
                null, null, // x-multifd-channels, x-multifd-page-count (2017 only)
                2L, 67108864L, 0L, 99L, // multifd-channels, xbzrle-cache-size, max-postcopy-bandwidth, max-cpu-thr.
                MultiFdCompression.NONE, 1L, 1L, // multifd-compression, -zlib-level, -zstd-level
                null, Map.of()); // block-bitmap-mapping, extras
        MigrationParameters parsed = Golden.assertBothWays("migration-parameters.json", expected,
                MigrationParameters.class);
        assertEquals(134217728L, parsed.maxBandwidth());
        assertEquals("", parsed.tlsCreds());
        assertNull(parsed.xMultifdChannels());
    }

    @Test
    void migrationParametersOf2017() {
        MigrationParameters expected = new MigrationParameters(
                null, null, null, null,
                1L, 8L, 2L, null,
                null, 20L, 10L, null,
                "", "", null,
                33554432L, 300L, 200L, false,
                2L, 16L,
                null, 67108864L, null, null,
                null, null, null,
                null, Map.of());
        MigrationParameters parsed = Golden.assertBothWays("migration-parameters-2017.json", expected,
                MigrationParameters.class);
        assertEquals(2L, parsed.xMultifdChannels());
        assertEquals(16L, parsed.xMultifdPageCount());
        assertNull(parsed.multifdChannels());
    }

    @Test
    void migrationParametersKeepNewerParametersAndUnknownEnumValues() {
        Map<String, JsonNode> newer = Map.of(
                "avail-switchover-bandwidth", IntNode.valueOf(0),
                "vcpu-dirty-limit", IntNode.valueOf(1),
                "x-vcpu-dirty-limit-period", IntNode.valueOf(1000),
                "mode", Golden.parse("\"normal\""),
                "zero-page-detection", Golden.parse("\"multifd\""),
                "direct-io", Golden.parse("false"));
        MigrationParameters expected = new MigrationParameters(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, 4L, null, null, null, MultiFdCompression.of("qatzip"), null, null,
                Golden.parse("[{\"node-name\": \"disk0\", \"alias\": \"d0\", \"bitmaps\": [{\"name\": \"bitmap0\","
                        + " \"alias\": \"b0\", \"transform\": {\"persistent\": true}}]}]"),
                newer);
        MigrationParameters parsed = Golden.assertBothWays("migration-parameters-newer.json", expected,
                MigrationParameters.class);
        assertFalse(parsed.multifdCompression().isKnown());
        assertEquals("qatzip", parsed.multifdCompression().raw());
        assertEquals("disk0", parsed.blockBitmapMapping().get(0).get("node-name").asText());
        assertEquals(List.of("avail-switchover-bandwidth", "direct-io", "mode", "vcpu-dirty-limit",
                "x-vcpu-dirty-limit-period", "zero-page-detection"), List.copyOf(parsed.extras().keySet()));
    }

    @Test
    void migrationParametersFromNames() {
        MigrationParameters p = MigrationParameters.of(Map.of(
                MigrationParameter.MAX_BANDWIDTH, 134217728L,
                MigrationParameter.MULTIFD_CHANNELS, 4,
                MigrationParameter.MULTIFD_COMPRESSION, MultiFdCompression.ZSTD,
                MigrationParameter.VCPU_DIRTY_LIMIT, 1));
        assertEquals(134217728L, p.maxBandwidth());
        assertEquals(4L, p.multifdChannels());
        assertSame(MultiFdCompression.ZSTD, p.multifdCompression());
        assertEquals(1, p.extras().get("vcpu-dirty-limit").asInt());
        Golden.assertSameJson(Golden.parse("{\"max-bandwidth\": 134217728, \"multifd-channels\": 4,"
                + " \"multifd-compression\": \"zstd\", \"vcpu-dirty-limit\": 1}"), Golden.written(p));
        assertThrows(IllegalArgumentException.class,
                () -> MigrationParameters.of(Map.of(MigrationParameter.MAX_BANDWIDTH, "lots")));
    }

    @Test
    void replicationStatus() {
        assertFalse(Golden.assertBothWays("replication-status.json", new ReplicationStatus(false, null),
                ReplicationStatus.class).error());
        ReplicationStatus error = Golden.assertBothWays("replication-status-error.json",
                new ReplicationStatus(true, "Block replication is not running"), ReplicationStatus.class);
        assertTrue(error.error());
    }

    @Test
    void coloStatus() {
        ColoStatus parsed = Golden.assertBothWays("colo-status.json",
                new ColoStatus(ColoMode.NONE, ColoMode.NONE, ColoExitReason.NONE), ColoStatus.class);
        assertSame(ColoMode.NONE, parsed.lastMode());
    }

    @Test
    void jobInfo() {
        JobInfo parsed = Golden.assertBothWays("job-info.json",
                new JobInfo("snapsave0", JobType.SNAPSHOT_SAVE, JobStatus.CONCLUDED, 1, 1, null), JobInfo.class);
        assertSame(JobType.SNAPSHOT_SAVE, parsed.type());
        JobInfo failed = Golden.assertBothWays("job-info-error.json",
                new JobInfo("snapdel1", JobType.SNAPSHOT_DELETE, JobStatus.CONCLUDED, 0, 1,
                        "Snapshot 'nope' not found"), JobInfo.class);
        assertEquals("Snapshot 'nope' not found", failed.error());
    }

    @Test
    void statusInfo() {
        StatusInfo parsed = Golden.assertBothWays("status-info.json",
                new StatusInfo(false, false, RunState.POSTMIGRATE), StatusInfo.class);
        assertFalse(parsed.running());
        assertSame(RunState.POSTMIGRATE, parsed.status());
    }

    @Test
    void unknownMembersAreToleratedEverywhere() throws Exception {
        XBZRLECacheStats x = Golden.MAPPER.readValue("{\"cache-size\": 1, \"hit-rate\": 0.5}", XBZRLECacheStats.class);
        assertEquals(1L, x.cacheSize());
        ReplicationStatus r = Golden.MAPPER.readValue("{\"error\": false, \"since\": 12}", ReplicationStatus.class);
        assertFalse(r.error());
        JobInfo j = Golden.MAPPER.readValue("{\"id\": \"j\", \"type\": \"snapshot-load\", \"status\": \"running\","
                + " \"current-progress\": 0, \"total-progress\": 1, \"eta\": 3}", JobInfo.class);
        assertSame(JobStatus.RUNNING, j.status());
    }
}
