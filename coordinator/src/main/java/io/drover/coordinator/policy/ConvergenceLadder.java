package io.drover.coordinator.policy;

import io.drover.coordinator.infra.CborSerializable;

import java.time.Duration;
import java.time.Instant;

/**
 * The convergence ladder: what to do about a pre-copy migration that is not finishing. Pure: the same
 * input gives the same decision, every decision carries its reason as a sentence.
 *
 * <p>Order (first match wins): a migration in post-copy is left alone (cancelling it would lose the
 * guest); the completion budget, then the stall timeout, end the migration (switch to post-copy when the
 * policy allows it, cancel otherwise); then, at most once per pass: post-copy after the policy's number of
 * passes; and when the expected downtime exceeds the current limit from the second pass on, raise the
 * downtime limit one step, then switch to post-copy.
 *
 * <p>Auto-converge is not a step taken mid-flight: it is a QEMU capability, which QEMU refuses to change
 * while a migration runs (and the agent refuses such a tune). When allowed it is on from the start, and QEMU
 * itself throttles the guest only once a pass does not converge, i.e. exactly when a ladder step would.
 */
public final class ConvergenceLadder {

    private ConvergenceLadder() {
    }

    /** What the ladder can do. */
    public enum Kind { NONE, RAISE_DOWNTIME_LIMIT, SWITCH_TO_POSTCOPY, CANCEL }

    /**
     * A decision.
     *
     * @param kind                what to do
     * @param downtimeLimitMs     the downtime limit after the decision (the new one when raised)
     * @param reason              why, in words
     */
    public record Decision(Kind kind, long downtimeLimitMs, String reason) implements CborSerializable {
        public boolean isNone() {
            return kind == Kind.NONE;
        }
    }

    /**
     * Where the migration stands.
     *
     * @param memoryBytes           guest RAM, for the per-GiB completion budget
     * @param migrateIssuedAt       when {@code migrate} was issued
     * @param lastProgressAt        when the remaining bytes last reached a new low (or migrate was issued)
     * @param now                   the time of the decision
     * @param pass                  the current pass (QEMU's dirty-sync-count / MIGRATION_PASS), 0 before the first
     * @param lastDecisionPass      the pass of the last ladder step taken (0 for none)
     * @param remainingBytes        bytes left in this pass, null when unknown
     * @param expectedDowntimeMs    QEMU's expected downtime, null when unknown
     * @param downtimeLimitMs       the downtime limit in force
     * @param autoConvergeOn        whether auto-converge is on (from the start)
     * @param inPostcopy            whether the migration switched (or was asked to switch) to post-copy
     */
    public record Input(long memoryBytes, Instant migrateIssuedAt, Instant lastProgressAt, Instant now,
                        long pass, long lastDecisionPass, Long remainingBytes, Long expectedDowntimeMs,
                        long downtimeLimitMs, boolean autoConvergeOn, boolean inPostcopy) {
    }

    public static Decision decide(CoordinatorPolicy policy, Input in) {
        long limit = in.downtimeLimitMs();
        if (in.inPostcopy()) {
            return none(limit, "the migration is in post-copy: it can only run to its end and is never cancelled");
        }
        boolean postcopyAllowed = policy.migration().postcopy();

        Duration budget = policy.completionBudget(in.memoryBytes());
        Duration elapsed = Duration.between(in.migrateIssuedAt(), in.now());
        if (elapsed.compareTo(budget) > 0) {
            String why = "the migration has run " + seconds(elapsed) + " without completing, over its completion budget of "
                    + seconds(budget);
            return end(postcopyAllowed, limit, why);
        }
        Duration still = Duration.between(in.lastProgressAt(), in.now());
        if (still.compareTo(policy.stallTimeout()) > 0) {
            String why = "the remaining bytes have not reached a new low for " + seconds(still)
                    + ", over the stall timeout of " + seconds(policy.stallTimeout());
            return end(postcopyAllowed, limit, why);
        }

        if (in.pass() < 1 || in.pass() <= in.lastDecisionPass()) {
            return none(limit, "no new pass since the last decision");
        }
        Integer after = policy.migration().postcopyAfterPasses();
        if (postcopyAllowed && after != null && in.pass() >= after) {
            return new Decision(Kind.SWITCH_TO_POSTCOPY, limit,
                    "pass " + in.pass() + " started and the policy switches to post-copy after " + after + " passes");
        }
        if (in.pass() < 2) {
            return none(limit, "the first pass copies all of RAM; convergence is judged from the second pass on");
        }
        Long expected = in.expectedDowntimeMs();
        if (expected == null) {
            return none(limit, "QEMU has not estimated the downtime yet");
        }
        if (expected <= limit) {
            return none(limit, "converging: expected downtime " + expected + " ms is within the limit of " + limit + " ms");
        }
        String behind = "pass " + in.pass() + ": expected downtime " + expected + " ms exceeds the limit of " + limit + " ms";
        long ceiling = policy.maxDowntimeLimitMs();
        if (limit < ceiling) {
            long next = nextStep(policy, limit);
            return new Decision(Kind.RAISE_DOWNTIME_LIMIT, next,
                    behind + ", so the limit is raised to " + next + " ms (ceiling " + ceiling + " ms)");
        }
        String throttle = in.autoConvergeOn() ? "auto-converge is throttling the guest" : "auto-converge is not allowed";
        if (postcopyAllowed) {
            return new Decision(Kind.SWITCH_TO_POSTCOPY, limit,
                    behind + ", the limit is at its ceiling and " + throttle + ", so the migration switches to post-copy");
        }
        return none(limit, behind + ", the limit is at its ceiling and " + throttle
                + "; the completion budget and stall timeout decide");
    }

    /** The first ladder step above {@code limit}. */
    static long nextStep(CoordinatorPolicy policy, long limit) {
        for (int s = 1; s <= policy.downtimeSteps(); s++) {
            long at = policy.downtimeLimitAtStep(s);
            if (at > limit) {
                return at;
            }
        }
        return policy.maxDowntimeLimitMs();
    }

    private static Decision end(boolean postcopyAllowed, long limit, String why) {
        if (postcopyAllowed) {
            return new Decision(Kind.SWITCH_TO_POSTCOPY, limit, why + "; post-copy is allowed, so the migration switches to it");
        }
        return new Decision(Kind.CANCEL, limit, why + "; post-copy is not allowed, so the migration is cancelled");
    }

    private static Decision none(long limit, String why) {
        return new Decision(Kind.NONE, limit, why);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
