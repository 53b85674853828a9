package io.drover.cli;

import io.drover.events.MigrationPolicy;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The migration policy as flags, shared by every command that migrates. */
final class PolicyOptions {
    @Option(names = "--downtime-limit", paramLabel = "MS", description = "Longest pause the guest may see at switchover, in ms (QEMU default 300).")
    Long downtimeLimitMs;

    @Option(names = "--max-bandwidth", paramLabel = "RATE", converter = RateConverter.class, description = "Bandwidth cap, e.g. 32MiB/s.")
    Long maxBandwidth;

    @Option(names = "--auto-converge", description = "Throttle the guest's vCPUs when the migration does not converge.")
    boolean autoConverge;

    @Option(names = "--cpu-throttle-initial", paramLabel = "PCT", description = "First throttle step, percent (needs --auto-converge).")
    Integer cpuThrottleInitial;

    @Option(names = "--cpu-throttle-increment", paramLabel = "PCT", description = "Throttle increase per step, percent (needs --auto-converge).")
    Integer cpuThrottleIncrement;

    @Option(names = "--xbzrle", description = "Delta-compress pages that are sent again.")
    boolean xbzrle;

    @Option(names = "--xbzrle-cache-size", paramLabel = "SIZE", converter = RateConverter.Size.class, description = "XBZRLE cache, a power of two (needs --xbzrle).")
    Long xbzrleCacheSize;

    @Option(names = "--multifd", description = "Send RAM over several connections.")
    boolean multifd;

    @Option(names = "--multifd-channels", paramLabel = "N", description = "Number of multifd connections (needs --multifd).")
    Integer multifdChannels;

    @Option(names = "--no-return-path", description = "Do not use the return path (on by default).")
    boolean noReturnPath;

    @Option(names = "--pause-before-switchover", description = "Pause the source before switchover, then continue.")
    boolean pauseBeforeSwitchover;

    @Option(names = "--postcopy", description = "Allow switching to post-copy.")
    boolean postcopy;

    @Option(names = "--postcopy-after-passes", paramLabel = "N", description = "Switch to post-copy once pass N starts (needs --postcopy).")
    Integer postcopyAfterPasses;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Cancel a pre-copy migration not completed by then (never one in post-copy).")
    Integer timeoutSeconds;

    @Option(names = "--sample-interval", paramLabel = "MS", defaultValue = "500", description = "query-migrate sampling interval in ms (default: ${DEFAULT-VALUE}).")
    long sampleIntervalMs;

    /** The policy, or an IllegalArgumentException naming every impossible setting. */
    MigrationPolicy toPolicy() {
        return MigrationPolicy.builder()
                .downtimeLimitMs(downtimeLimitMs)
                .maxBandwidth(maxBandwidth)
                .autoConverge(autoConverge)
                .cpuThrottleInitial(cpuThrottleInitial)
                .cpuThrottleIncrement(cpuThrottleIncrement)
                .xbzrle(xbzrle)
                .xbzrleCacheSize(xbzrleCacheSize)
                .multifd(multifd)
                .multifdChannels(multifdChannels)
                .returnPath(!noReturnPath)
                .pauseBeforeSwitchover(pauseBeforeSwitchover)
                .postcopy(postcopy)
                .postcopyAfterPasses(postcopyAfterPasses)
                .completionTimeout(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds))
                .sampleInterval(Duration.ofMillis(sampleIntervalMs))
                .build()
                .validated();
    }
}
