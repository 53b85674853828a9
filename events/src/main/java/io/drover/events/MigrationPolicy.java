package io.drover.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How one migration is to run: what the engine sets on both ends before {@code migrate}, and when
 * it steps in while the migration runs. {@code null} means "leave the value QEMU has now": its
 * default, unless an earlier migration of the same QEMU process set it (QEMU keeps parameters).
 *
 * @param downtimeLimitMs       {@code downtime-limit}: the longest pause the guest may see at switchover
 * @param maxBandwidth          {@code max-bandwidth} in bytes/s
 * @param autoConverge          the {@code auto-converge} capability (throttles the guest's vCPUs)
 * @param cpuThrottleInitial    {@code cpu-throttle-initial} percent, with auto-converge
 * @param cpuThrottleIncrement  {@code cpu-throttle-increment} percent, with auto-converge
 * @param xbzrle                the {@code xbzrle} capability (delta-compress re-sent pages)
 * @param xbzrleCacheSize       {@code xbzrle-cache-size} in bytes
 * @param multifd               the {@code multifd} capability ({@code x-multifd} in 2017)
 * @param multifdChannels       {@code multifd-channels}
 * @param returnPath            the {@code return-path} capability; on by default, because without it a
 *                              listener that is not QEMU can make the source report {@code completed}
 * @param pauseBeforeSwitchover the {@code pause-before-switchover} capability: the source stops in
 *                              {@code pre-switchover} and the engine sends {@code migrate-continue}
 * @param postcopy              the {@code postcopy-ram} capability (allows the switch to post-copy)
 * @param postcopyAfterPasses   switch to post-copy once this many passes have started; null = never by itself
 * @param completionTimeout     cancel a pre-copy migration that has not completed by then; null = no limit.
 *                              A migration in post-copy is never cancelled: the guest would be lost.
 * @param sampleInterval        how often {@code query-migrate} is sampled on the source
 */
public record MigrationPolicy(
        Long downtimeLimitMs,
        Long maxBandwidth,
        boolean autoConverge,
        Integer cpuThrottleInitial,
        Integer cpuThrottleIncrement,
        boolean xbzrle,
        Long xbzrleCacheSize,
        boolean multifd,
        Integer multifdChannels,
        boolean returnPath,
        boolean pauseBeforeSwitchover,
        boolean postcopy,
        Integer postcopyAfterPasses,
        Duration completionTimeout,
        Duration sampleInterval) {

    /** QEMU refuses a larger downtime-limit (MAX_MIGRATE_DOWNTIME, 2000 s, in migration/options.c). */
    public static final long MAX_DOWNTIME_MS = 2_000_000;
    /** Often enough for a live line per pass, rarely enough to cost the source nothing measurable. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(500);

    public static MigrationPolicy defaults() {
        return new MigrationPolicy(null, null, false, null, null, false, null, false, null,
                true, false, false, null, null, DEFAULT_SAMPLE_INTERVAL);
    }

    /** Every way this policy is impossible, as sentences naming the setting; empty when it is fine. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (downtimeLimitMs != null && (downtimeLimitMs < 0 || downtimeLimitMs > MAX_DOWNTIME_MS)) {
            p.add("downtime limit must be between 0 and " + MAX_DOWNTIME_MS + " ms, got " + downtimeLimitMs);
        }
        if (maxBandwidth != null && maxBandwidth <= 0) {
            p.add("max bandwidth must be positive, got " + maxBandwidth);
        }
        if (!autoConverge && (cpuThrottleInitial != null || cpuThrottleIncrement != null)) {
            p.add("cpu-throttle settings need auto-converge");
        }
        checkPercent(p, "cpu-throttle-initial", cpuThrottleInitial);
        checkPercent(p, "cpu-throttle-increment", cpuThrottleIncrement);
        if (xbzrleCacheSize != null && !xbzrle) {
            p.add("an xbzrle cache size needs xbzrle");
        }
        if (xbzrleCacheSize != null && (xbzrleCacheSize < 4096 || Long.bitCount(xbzrleCacheSize) != 1)) {
            p.add("xbzrle cache size must be a power of two of at least 4096 bytes, got " + xbzrleCacheSize);
        }
        if (multifdChannels != null && !multifd) {
            p.add("multifd channels need multifd");
        }
        if (multifdChannels != null && (multifdChannels < 1 || multifdChannels > 255)) {
            p.add("multifd channels must be between 1 and 255, got " + multifdChannels);
        }
        if (postcopyAfterPasses != null && !postcopy) {
            p.add("post-copy after N passes needs post-copy allowed");
        }
        if (postcopyAfterPasses != null && postcopyAfterPasses < 1) {
            p.add("post-copy after passes must be at least 1, got " + postcopyAfterPasses);
        }
        if (postcopy && multifd) {
            p.add("post-copy and multifd cannot be combined (QEMU 7.2: 'Postcopy is not yet compatible with multifd')");
        }
        if (completionTimeout != null && (completionTimeout.isNegative() || completionTimeout.isZero())) {
            p.add("completion timeout must be positive");
        }
        if (sampleInterval == null || sampleInterval.toMillis() < 10) {
            p.add("sample interval must be at least 10 ms");
        }
        return p;
    }

    /** Throws {@link IllegalArgumentException} listing every problem. */
    public MigrationPolicy validated() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("impossible migration policy: " + String.join("; ", p));
        }
        return this;
    }

    private static void checkPercent(List<String> p, String name, Integer v) {
        if (v != null && (v < 1 || v > 99)) {
            p.add(name + " must be between 1 and 99 percent, got " + v);
        }
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a policy from the defaults, one setting at a time. */
    public static final class Builder {
        private Long downtimeLimitMs, maxBandwidth, xbzrleCacheSize;
        private boolean autoConverge, xbzrle, multifd, returnPath, pauseBeforeSwitchover, postcopy;
        private Integer cpuThrottleInitial, cpuThrottleIncrement, multifdChannels, postcopyAfterPasses;
        private Duration completionTimeout, sampleInterval;

        private Builder(MigrationPolicy p) {
            downtimeLimitMs = p.downtimeLimitMs; maxBandwidth = p.maxBandwidth; autoConverge = p.autoConverge;
            cpuThrottleInitial = p.cpuThrottleInitial; cpuThrottleIncrement = p.cpuThrottleIncrement;
            xbzrle = p.xbzrle; xbzrleCacheSize = p.xbzrleCacheSize; multifd = p.multifd; multifdChannels = p.multifdChannels;
            returnPath = p.returnPath; pauseBeforeSwitchover = p.pauseBeforeSwitchover; postcopy = p.postcopy;
            postcopyAfterPasses = p.postcopyAfterPasses; completionTimeout = p.completionTimeout; sampleInterval = p.sampleInterval;
        }

        public Builder downtimeLimitMs(Long v) { downtimeLimitMs = v; return this; }
        public Builder maxBandwidth(Long v) { maxBandwidth = v; return this; }
        public Builder autoConverge(boolean v) { autoConverge = v; return this; }
        public Builder cpuThrottleInitial(Integer v) { cpuThrottleInitial = v; return this; }
        public Builder cpuThrottleIncrement(Integer v) { cpuThrottleIncrement = v; return this; }
        public Builder xbzrle(boolean v) { xbzrle = v; return this; }
        public Builder xbzrleCacheSize(Long v) { xbzrleCacheSize = v; return this; }
        public Builder multifd(boolean v) { multifd = v; return this; }
        public Builder multifdChannels(Integer v) { multifdChannels = v; return this; }
        public Builder returnPath(boolean v) { returnPath = v; return this; }
        public Builder pauseBeforeSwitchover(boolean v) { pauseBeforeSwitchover = v; return this; }
        public Builder postcopy(boolean v) { postcopy = v; return this; }
        public Builder postcopyAfterPasses(Integer v) { postcopyAfterPasses = v; return this; }
        public Builder completionTimeout(Duration v) { completionTimeout = v; return this; }
        public Builder sampleInterval(Duration v) { sampleInterval = v; return this; }

        /** The policy, unchecked; call {@link MigrationPolicy#validated()} before using it. */
        public MigrationPolicy build() {
            return new MigrationPolicy(downtimeLimitMs, maxBandwidth, autoConverge, cpuThrottleInitial, cpuThrottleIncrement,
                    xbzrle, xbzrleCacheSize, multifd, multifdChannels, returnPath, pauseBeforeSwitchover, postcopy,
                    postcopyAfterPasses, completionTimeout, sampleInterval);
        }
    }
}
