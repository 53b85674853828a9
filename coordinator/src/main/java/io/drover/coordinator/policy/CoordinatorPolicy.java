package io.drover.coordinator.policy;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.events.MigrationPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the coordinator needs on top of the public {@link MigrationPolicy} to run the convergence ladder.
 *
 * @param migration              the policy the agents apply; its {@code downtimeLimitMs} is the ladder's
 *                               ceiling, its {@code postcopy} whether the ladder may switch to post-copy,
 *                               its {@code completionTimeout} (when set) an absolute completion budget
 * @param downtimeSteps          the downtime limit starts at ceiling/steps and is raised one step at a time
 * @param allowAutoConverge      turn auto-converge on even when the policy has it off. QEMU cannot change a
 *                               capability mid-flight, so it is set at the start; QEMU throttles the guest only
 *                               once a pass does not converge
 * @param completionTimeoutPerGiB the completion budget per GiB of guest RAM when {@code migration.completionTimeout}
 *                               is not set (KubeVirt's completionTimeoutPerGiB)
 * @param stallTimeout           give up (or switch to post-copy) when the remaining bytes have not reached a
 *                               new low for this long (KubeVirt's progressTimeout)
 */
public record CoordinatorPolicy(
        MigrationPolicy migration,
        int downtimeSteps,
        boolean allowAutoConverge,
        Duration completionTimeoutPerGiB,
        Duration stallTimeout) implements CborSerializable {

    /** QEMU's own default downtime-limit (migration/options.c), the ceiling when the policy sets none. */
    public static final long QEMU_DEFAULT_DOWNTIME_MS = 300;
    /** Nova's live_migration_downtime_steps default: enough steps to matter, few enough to reach the ceiling. */
    public static final int DEFAULT_DOWNTIME_STEPS = 10;
    /** KubeVirt's default: 150 s per GiB copes with a busy 1 Gbit/s link without waiting forever. */
    public static final Duration DEFAULT_COMPLETION_TIMEOUT_PER_GIB = Duration.ofSeconds(150);
    /** KubeVirt's default progressTimeout: a migration that has not progressed for 150 s will not. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(150);

    public static CoordinatorPolicy of(MigrationPolicy migration) {
        return new CoordinatorPolicy(migration, DEFAULT_DOWNTIME_STEPS, false,
                DEFAULT_COMPLETION_TIMEOUT_PER_GIB, DEFAULT_STALL_TIMEOUT);
    }

    public CoordinatorPolicy withDowntimeSteps(int v) {
        return new CoordinatorPolicy(migration, v, allowAutoConverge, completionTimeoutPerGiB, stallTimeout);
    }

    public CoordinatorPolicy withAllowAutoConverge(boolean v) {
        return new CoordinatorPolicy(migration, downtimeSteps, v, completionTimeoutPerGiB, stallTimeout);
    }

    public CoordinatorPolicy withCompletionTimeoutPerGiB(Duration v) {
        return new CoordinatorPolicy(migration, downtimeSteps, allowAutoConverge, v, stallTimeout);
    }

    public CoordinatorPolicy withStallTimeout(Duration v) {
        return new CoordinatorPolicy(migration, downtimeSteps, allowAutoConverge, completionTimeoutPerGiB, v);
    }

    /** The ladder's ceiling: the policy's downtime limit, or QEMU's default. */
    public long maxDowntimeLimitMs() {
        return migration.downtimeLimitMs() != null ? migration.downtimeLimitMs() : QEMU_DEFAULT_DOWNTIME_MS;
    }

    /** The downtime limit of ladder step {@code step} (1 = the first, {@link #downtimeSteps()} = the ceiling). */
    public long downtimeLimitAtStep(int step) {
        int s = Math.max(1, Math.min(step, downtimeSteps));
        return Math.max(1, maxDowntimeLimitMs() * s / downtimeSteps);
    }

    /** The completion budget for a guest of {@code memoryBytes}: the absolute timeout, else per GiB (at least one GiB). */
    public Duration completionBudget(long memoryBytes) {
        if (migration.completionTimeout() != null) {
            return migration.completionTimeout();
        }
        long gib = Math.max(1, (memoryBytes + (1L << 30) - 1) >> 30);
        return completionTimeoutPerGiB.multipliedBy(gib);
    }

    /** Whether auto-converge is on: asked for by the policy or allowed here. */
    public boolean autoConverge() {
        return migration.autoConverge() || allowAutoConverge;
    }

    /**
     * The policy the agents get at the start: the ladder's first downtime step, auto-converge when allowed,
     * and without the policy's own step-ins (post-copy after N passes, completion timeout): the coordinator's
     * ladder takes those decisions, one decision-maker per migration.
     */
    public MigrationPolicy initialMigrationPolicy() {
        return migration.toBuilder()
                .downtimeLimitMs(downtimeLimitAtStep(1))
                .autoConverge(autoConverge())
                .postcopyAfterPasses(null)
                .completionTimeout(null)
                .build();
    }

    /** Every way this policy is impossible, as sentences naming the setting; empty when it is fine. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (migration == null) {
            p.add("migration policy is missing");
            return p;
        }
        p.addAll(migration.toBuilder().autoConverge(autoConverge()).build().problems());
        if (downtimeSteps < 1) {
            p.add("downtime steps must be at least 1, got " + downtimeSteps);
        }
        if (completionTimeoutPerGiB == null || completionTimeoutPerGiB.isNegative() || completionTimeoutPerGiB.isZero()) {
            p.add("completion timeout per GiB must be positive");
        }
        if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
            p.add("stall timeout must be positive");
        }
        return p;
    }
}
