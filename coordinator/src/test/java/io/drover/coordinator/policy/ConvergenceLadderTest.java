package io.drover.coordinator.policy;

import io.drover.coordinator.policy.ConvergenceLadder.Decision;
import io.drover.coordinator.policy.ConvergenceLadder.Input;
import io.drover.coordinator.policy.ConvergenceLadder.Kind;
import io.drover.events.MigrationPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

class ConvergenceLadderTest {
    static final Instant T0 = Instant.parse("2026-11-21T20:00:00Z");
    static final long GIB = 1L << 30;

    static CoordinatorPolicy precopy() {
        return CoordinatorPolicy.of(MigrationPolicy.builder().downtimeLimitMs(400L).build())
                .withDowntimeSteps(4).withStallTimeout(Duration.ofSeconds(30)).withCompletionTimeoutPerGiB(Duration.ofSeconds(100));
    }

    /** At {@code seconds} after migrate, progress {@code sinceProgress} seconds ago, in {@code pass}. */
    static Input at(long seconds, long sinceProgress, long pass, long lastDecisionPass, Long expected, long limit,
                    boolean autoConverge, boolean postcopy) {
        Instant now = T0.plusSeconds(seconds);
        return new Input(2 * GIB, T0, now.minusSeconds(sinceProgress), now, pass, lastDecisionPass, 100_000_000L,
                expected, limit, autoConverge, postcopy);
    }

    @Test
    void stepsFollowThePolicyCeiling() {
        CoordinatorPolicy p = precopy();
        assertEquals(100, p.downtimeLimitAtStep(1));
        assertEquals(400, p.downtimeLimitAtStep(4));
        assertEquals(400, p.downtimeLimitAtStep(9));
        assertEquals(100, p.initialMigrationPolicy().downtimeLimitMs());
        assertEquals(300, CoordinatorPolicy.of(MigrationPolicy.defaults()).maxDowntimeLimitMs(), "QEMU's default when unset");
        assertEquals(Duration.ofSeconds(200), p.completionBudget(2 * GIB));
        assertEquals(Duration.ofSeconds(100), p.completionBudget(1), "at least one GiB");
        assertEquals(Duration.ofSeconds(7), CoordinatorPolicy.of(MigrationPolicy.builder().completionTimeout(Duration.ofSeconds(7)).build())
                .completionBudget(8 * GIB), "an absolute completion timeout wins");
    }

    @Test
    void theFirstPassIsNotJudged() {
        Decision d = ConvergenceLadder.decide(precopy(), at(5, 0, 1, 0, 5000L, 100, false, false));
        assertEquals(Kind.NONE, d.kind());
        assertTrue(d.reason().contains("first pass"), d.reason());
    }

    @Test
    void withinTheLimitNothingHappens() {
        Decision d = ConvergenceLadder.decide(precopy(), at(5, 0, 3, 0, 80L, 100, false, false));
        assertEquals(Kind.NONE, d.kind());
        assertEquals("converging: expected downtime 80 ms is within the limit of 100 ms", d.reason());
    }

    @Test
    void overTheLimitRaisesItOneStepAtATimeUpToTheCeiling() {
        Decision d = ConvergenceLadder.decide(precopy(), at(5, 0, 2, 0, 900L, 100, false, false));
        assertEquals(Kind.RAISE_DOWNTIME_LIMIT, d.kind());
        assertEquals(200, d.downtimeLimitMs());
        assertEquals("pass 2: expected downtime 900 ms exceeds the limit of 100 ms, so the limit is raised to 200 ms (ceiling 400 ms)", d.reason());
        assertEquals(400, ConvergenceLadder.decide(precopy(), at(5, 0, 4, 3, 900L, 300, false, false)).downtimeLimitMs());
    }

    @Test
    void onceAPassNoSecondStep() {
        Decision d = ConvergenceLadder.decide(precopy(), at(5, 0, 2, 2, 900L, 200, false, false));
        assertEquals(Kind.NONE, d.kind());
        assertEquals("no new pass since the last decision", d.reason());
    }

    @Test
    void atTheCeilingPostcopyIfAllowedElseWait() {
        CoordinatorPolicy ac = precopy().withAllowAutoConverge(true);
        Decision d = ConvergenceLadder.decide(ac, at(5, 0, 6, 5, 900L, 400, true, false));
        assertEquals(Kind.NONE, d.kind());
        assertTrue(d.reason().endsWith("the limit is at its ceiling and auto-converge is throttling the guest; "
                + "the completion budget and stall timeout decide"), d.reason());

        CoordinatorPolicy pc = CoordinatorPolicy.of(MigrationPolicy.builder().downtimeLimitMs(400L).postcopy(true).build())
                .withDowntimeSteps(4).withAllowAutoConverge(true);
        Decision sw = ConvergenceLadder.decide(pc, at(5, 0, 6, 5, 900L, 400, true, false));
        assertEquals(Kind.SWITCH_TO_POSTCOPY, sw.kind());
        assertTrue(sw.reason().contains("auto-converge is throttling the guest, so the migration switches to post-copy"), sw.reason());
    }

    @Test
    void postcopyAfterThePolicysPasses() {
        CoordinatorPolicy pc = CoordinatorPolicy.of(MigrationPolicy.builder().postcopy(true).postcopyAfterPasses(3).build());
        assertEquals(Kind.NONE, ConvergenceLadder.decide(pc, at(5, 0, 2, 0, 10L, 300, false, false)).kind());
        Decision d = ConvergenceLadder.decide(pc, at(5, 0, 3, 0, 10L, 300, false, false));
        assertEquals(Kind.SWITCH_TO_POSTCOPY, d.kind());
        assertEquals("pass 3 started and the policy switches to post-copy after 3 passes", d.reason());
    }

    @Test
    void overTheCompletionBudgetCancelsOrSwitchesToPostcopy() {
        Decision d = ConvergenceLadder.decide(precopy(), at(201, 0, 9, 9, 900L, 400, false, false));
        assertEquals(Kind.CANCEL, d.kind());
        assertEquals("the migration has run 201 s without completing, over its completion budget of 200 s; "
                + "post-copy is not allowed, so the migration is cancelled", d.reason());
        CoordinatorPolicy pc = CoordinatorPolicy.of(MigrationPolicy.builder().postcopy(true).build())
                .withCompletionTimeoutPerGiB(Duration.ofSeconds(100));
        assertEquals(Kind.SWITCH_TO_POSTCOPY, ConvergenceLadder.decide(pc, at(201, 0, 9, 9, 900L, 300, false, false)).kind());
        assertEquals(Kind.NONE, ConvergenceLadder.decide(precopy(), at(200, 0, 9, 9, 900L, 400, false, false)).kind(),
                "exactly at the budget is not over it");
    }

    @Test
    void aStallCancels() {
        Decision d = ConvergenceLadder.decide(precopy(), at(60, 31, 4, 4, 900L, 400, false, false));
        assertEquals(Kind.CANCEL, d.kind());
        assertTrue(d.reason().startsWith("the remaining bytes have not reached a new low for 31 s, over the stall timeout of 30 s"), d.reason());
    }

    @Test
    void postcopyIsNeverCancelled() {
        Decision d = ConvergenceLadder.decide(precopy(), at(10_000, 10_000, 9, 0, 900L, 100, false, true));
        assertEquals(Kind.NONE, d.kind());
        assertTrue(d.reason().contains("never cancelled"), d.reason());
    }

    @Test
    void unknownExpectedDowntimeWaits() {
        Decision d = ConvergenceLadder.decide(precopy(), at(5, 0, 2, 0, null, 100, false, false));
        assertEquals(Kind.NONE, d.kind());
        assertEquals("QEMU has not estimated the downtime yet", d.reason());
    }

    @Test
    void autoConvergeIsOnFromTheStartWhenAllowedAndTheAgentsGetNoStepInsOfTheirOwn() {
        MigrationPolicy m = MigrationPolicy.builder().postcopy(true).postcopyAfterPasses(3).completionTimeout(Duration.ofSeconds(9))
                .downtimeLimitMs(400L).cpuThrottleInitial(30).build();
        CoordinatorPolicy p = CoordinatorPolicy.of(m).withDowntimeSteps(4).withAllowAutoConverge(true);
        assertTrue(p.problems().isEmpty(), p.problems().toString());
        MigrationPolicy agents = p.initialMigrationPolicy();
        assertTrue(agents.autoConverge());
        assertEquals(100L, agents.downtimeLimitMs());
        assertNull(agents.postcopyAfterPasses());
        assertNull(agents.completionTimeout());
        assertTrue(agents.postcopy());
        assertEquals(30, agents.cpuThrottleInitial());
        assertFalse(CoordinatorPolicy.of(MigrationPolicy.defaults()).initialMigrationPolicy().autoConverge());
    }

    @Test
    void policyProblemsAreNamed() {
        CoordinatorPolicy bad = new CoordinatorPolicy(MigrationPolicy.defaults(), 0, false, Duration.ZERO, null);
        assertEquals(3, bad.problems().size(), bad.problems().toString());
        assertTrue(precopy().problems().isEmpty());
    }
}
