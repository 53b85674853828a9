package io.drover.coordinator.migration;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.coordinator.migration.MigrationEvent.*;
import io.drover.coordinator.policy.CoordinatorPolicy;

import java.time.Instant;

/**
 * The lifecycle of one migration, one type per phase; each transition is a method taking the event that
 * causes it. Nothing here reads a clock.
 */
public sealed interface MigrationState extends CborSerializable {

    Phase phase();

    MigrationSummary summary(String migrationId);

    /** What was asked for; null before the request. */
    default Spec spec() {
        return null;
    }

    /** The running migration's figures (the last ones, once it ended); null before migrate was issued. */
    default Run run() {
        return null;
    }

    /**
     * What was asked for.
     */
    record Spec(String vmId, String sourceHost, String destinationHost, int memoryMiB, int vcpus,
                CoordinatorPolicy policy, Instant requestedAt) implements CborSerializable {
        long memoryBytes() {
            return (long) memoryMiB << 20;
        }
    }

    /**
     * A running migration's figures.
     *
     * @param lastProgressAt when {@code remaining} last reached a new low (or migrate was issued)
     * @param tunes          how many tune-migration commands were sent (the next one's id)
     * @param lastRecord     the last recorded sample, and {@code previousRecord} the one before (null: none yet; absent
     *                       from snapshots taken before they were kept): what the API shows as the migration's progress
     */
    record Run(String uri, Instant issuedAt, boolean sourceStarted, long pass, long lastDecisionPass,
               Instant lastSampleAt, Long remaining, Long lowestRemaining, Instant lastProgressAt,
               Long expectedDowntimeMs, long downtimeLimitMs, boolean autoConvergeOn, int tunes,
               ProgressRecorded lastRecord, ProgressRecorded previousRecord) implements CborSerializable {

        Run started() {
            return new Run(uri, issuedAt, true, pass, lastDecisionPass, lastSampleAt, remaining, lowestRemaining,
                    lastProgressAt, expectedDowntimeMs, downtimeLimitMs, autoConvergeOn, tunes, lastRecord, previousRecord);
        }

        Run recorded(ProgressRecorded e) {
            return new Run(uri, issuedAt, sourceStarted, e.newPass(), lastDecisionPass, e.sampledAt(), e.remaining(),
                    e.newLow() ? e.remaining() : lowestRemaining, e.newLow() ? e.sampledAt() : lastProgressAt,
                    e.expectedDowntimeMs(), downtimeLimitMs, autoConvergeOn, tunes, e, lastRecord);
        }

        Run decided(ConvergenceDecisionTaken e) {
            return new Run(uri, issuedAt, sourceStarted, pass, e.pass(), lastSampleAt, remaining, lowestRemaining,
                    lastProgressAt, expectedDowntimeMs, e.newDowntimeLimitMs(), autoConvergeOn, tunes + 1, lastRecord, previousRecord);
        }

        /** Whether a sample with this remaining figure is progress: a new low. */
        boolean isNewLow(Long sampleRemaining) {
            return sampleRemaining != null && (lowestRemaining == null || sampleRemaining < lowestRemaining);
        }
    }

    private static MigrationSummary summary(String id, Phase phase, Spec s, Run r, String uri, String reason) {
        return new MigrationSummary(id, phase, s.vmId(), s.sourceHost(), s.destinationHost(),
                r != null ? r.uri() : uri, r != null ? r.pass() : 0,
                r != null ? r.downtimeLimitMs() : s.policy().downtimeLimitAtStep(1),
                r != null ? r.autoConvergeOn() : s.policy().autoConverge(), reason);
    }

    /** A migration that has not ended: it can still fail. */
    sealed interface Live extends MigrationState {
        Spec spec();

        /** The running migration's figures; null before migrate was issued. */
        default Run run() {
            return null;
        }

        default Failed failed(MigrationFailed e) {
            return new Failed(spec(), e.oldPhase(), e.reason(), e.time(), run(), false);
        }
    }

    /** A migration that can still be cancelled (nothing irreversible has happened). */
    sealed interface Cancellable extends Live {
        default Cancelled cancelled(MigrationCancelled e) {
            return new Cancelled(spec(), e.oldPhase(), e.reason(), e.time(), run(), false);
        }
    }

    /** No migration with this id. */
    record Empty() implements MigrationState {
        public Phase phase() {
            return Phase.NEW;
        }

        public MigrationSummary summary(String id) {
            return new MigrationSummary(id, Phase.NEW, null, null, null, null, 0, 0, false, null);
        }

        Preparing requested(MigrationRequested e) {
            return new Preparing(new Spec(e.vmId(), e.sourceHost(), e.destinationHost(), e.memoryMiB(), e.vcpus(),
                    e.policy(), e.time()));
        }
    }

    /** The destination was asked to prepare an incoming QEMU. */
    record Preparing(Spec spec) implements Cancellable {
        public Phase phase() {
            return Phase.PREPARING;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, null, null, null);
        }

        Prepared prepared(DestinationPrepared e) {
            return new Prepared(spec, e.newUri());
        }

        /** Cancelled before the destination's result came in: no run yet; the source's verdict ends it. */
        Cancelling cancelling(CancellationRequested e) {
            return new Cancelling(spec, null, e.reason(), e.time());
        }
    }

    /** The destination listens; {@code migrate} is about to be issued (only ever seen between two events of one write). */
    record Prepared(Spec spec, String uri) implements Live {
        public Phase phase() {
            return Phase.PREPARED;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, null, uri, null);
        }

        Migrating issued(MigrateIssued e) {
            return new Migrating(spec, new Run(uri, e.time(), false, 0, 0, null, null, null, e.time(), null,
                    e.downtimeLimitMs(), spec.policy().autoConverge(), 0, null, null));
        }
    }

    /** Pre-copy: the source copies RAM pass after pass; the convergence ladder watches. */
    record Migrating(Spec spec, Run run) implements Cancellable {
        public Phase phase() {
            return Phase.MIGRATING;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, null);
        }

        Migrating started(SourceStarted e) {
            return new Migrating(spec, run.started());
        }

        Migrating recorded(ProgressRecorded e) {
            return new Migrating(spec, run.recorded(e));
        }

        Migrating decided(ConvergenceDecisionTaken e) {
            return new Migrating(spec, run.decided(e));
        }

        Postcopy postcopy(PostcopySwitchRequested e) {
            return new Postcopy(spec, run, e.reason());
        }

        Cancelling cancelling(CancellationRequested e) {
            return new Cancelling(spec, run, e.reason(), e.time());
        }

        Confirming switchedOver(SwitchoverCompleted e) {
            return new Confirming(spec, run, e.oldPhase(), e.time(), null);
        }
    }

    /** Post-copy: the destination runs the guest and pulls the rest; never cancelled. */
    record Postcopy(Spec spec, Run run, String reason) implements Live {
        public Phase phase() {
            return Phase.POSTCOPY;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, reason);
        }

        Postcopy recorded(ProgressRecorded e) {
            return new Postcopy(spec, run.recorded(e), reason);
        }

        Confirming switchedOver(SwitchoverCompleted e) {
            return new Confirming(spec, run, e.oldPhase(), e.time(), null);
        }
    }

    /**
     * {@code migrate_cancel} was sent; waiting for the source to report the end. {@code run} is null when the
     * migration was cancelled while the destination prepared.
     */
    record Cancelling(Spec spec, Run run, String reason, Instant since) implements Cancellable {
        public Phase phase() {
            return Phase.CANCELLING;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, reason);
        }

        Confirming switchedOver(SwitchoverCompleted e) {
            return new Confirming(spec, run, e.oldPhase(), e.time(), null);
        }
    }

    /**
     * The source completed; waiting for the destination to confirm it runs the guest.
     *
     * @param from    the phase the switchover came from (POSTCOPY: the source's copy of the guest is stale)
     * @param overdue why confirmation is overdue, once {@link ConfirmationOverdue} was recorded; null before
     */
    record Confirming(Spec spec, Run run, Phase from, Instant since, String overdue) implements Live {
        public Phase phase() {
            return Phase.CONFIRMING;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, overdue);
        }

        Completed completed(MigrationCompleted e) {
            return new Completed(spec, run, e.time(), false);
        }

        Confirming overdue(ConfirmationOverdue e) {
            return new Confirming(spec, run, from, since, e.reason());
        }

        ResumingSource lost(DestinationLost e) {
            return new ResumingSource(spec, run, e.reason(), e.destinationVmState(), e.time());
        }
    }

    /** The destination lost the guest after a pre-copy switchover; the source was told to resume it. */
    record ResumingSource(Spec spec, Run run, String reason, String destinationVmState, Instant since) implements Live {
        public Phase phase() {
            return Phase.RESUMING_SOURCE;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, reason);
        }
    }

    /**
     * A migration that has ended: completed, failed or cancelled. {@code cleanedUp}: the agent answered its clean-up
     * command ({@link MigrationEvent.CleanUpAnswered}), which a recovery then no longer re-sends.
     */
    sealed interface Ended extends MigrationState {
        boolean cleanedUp();

        Ended cleanedUp(MigrationEvent.CleanUpAnswered e);
    }

    /** The guest runs on the destination; the source was told to retire. */
    record Completed(Spec spec, Run run, Instant completedAt, boolean cleanedUp) implements Ended {
        public Completed cleanedUp(MigrationEvent.CleanUpAnswered e) {
            return new Completed(spec, run, completedAt, true);
        }

        public Phase phase() {
            return Phase.COMPLETED;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, null);
        }
    }

    /** The migration failed in {@code failedIn}; {@code run}: its last figures, null when it failed before migrate. */
    record Failed(Spec spec, Phase failedIn, String reason, Instant at, Run run, boolean cleanedUp) implements Ended {
        public Failed cleanedUp(MigrationEvent.CleanUpAnswered e) {
            return new Failed(spec, failedIn, reason, at, run, true);
        }

        public Phase phase() {
            return Phase.FAILED;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, reason);
        }
    }

    /** The migration was cancelled in {@code cancelledIn}; the guest runs on the source. */
    record Cancelled(Spec spec, Phase cancelledIn, String reason, Instant at, Run run, boolean cleanedUp) implements Ended {
        public Cancelled cleanedUp(MigrationEvent.CleanUpAnswered e) {
            return new Cancelled(spec, cancelledIn, reason, at, run, true);
        }

        public Phase phase() {
            return Phase.CANCELLED;
        }

        public MigrationSummary summary(String id) {
            return MigrationState.summary(id, phase(), spec, run, null, reason);
        }
    }
}
