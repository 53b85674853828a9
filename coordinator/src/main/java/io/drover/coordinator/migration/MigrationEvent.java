package io.drover.coordinator.migration;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.coordinator.policy.ConvergenceLadder;
import io.drover.coordinator.policy.CoordinatorPolicy;

import java.time.Instant;

/**
 * What happened to one migration, in the past tense. Every event carries the migration id, its own
 * time (taken by the command handler; event handlers never read a clock), and the phase before and after.
 */
public sealed interface MigrationEvent extends CborSerializable {
    String migrationId();

    Instant time();

    Phase oldPhase();

    Phase newPhase();

    /** An event that says why, in a sentence: what a migration's summary shows as its reason from then on. */
    sealed interface Explained extends MigrationEvent {
        String reason();
    }

    /** An operator asked for the migration; the destination is asked to prepare next. */
    record MigrationRequested(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String vmId,
                              String sourceHost, String destinationHost, int memoryMiB, int vcpus,
                              CoordinatorPolicy policy) implements MigrationEvent {
    }

    /** The destination listens on {@code newUri}. */
    record DestinationPrepared(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String oldUri,
                               String newUri) implements MigrationEvent {
    }

    /** Persisted before start-migration ({@code migrate}) is sent, under {@code commandId}. */
    record MigrateIssued(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String commandId,
                         String uri, long downtimeLimitMs) implements MigrationEvent {
    }

    /** The source accepted {@code migrate}. */
    record SourceStarted(String migrationId, Instant time, Phase oldPhase, Phase newPhase) implements MigrationEvent {
    }

    /**
     * A sample of the source's {@code query-migrate}.
     *
     * @param newLow whether {@code remaining} is the lowest seen so far (progress, for the stall timeout)
     */
    record ProgressRecorded(String migrationId, Instant time, Phase oldPhase, Phase newPhase, Instant sampledAt,
                            String status, long oldPass, long newPass, Long remaining, Long transferred,
                            Long dirtyPagesRate, Long expectedDowntimeMs, Long cpuThrottlePercentage,
                            boolean newLow) implements MigrationEvent {
    }

    /**
     * A step of the convergence ladder that tunes the running migration (the downtime limit),
     * sent as tune-migration under {@code commandId}. Post-copy and cancel have events of their own.
     */
    record ConvergenceDecisionTaken(String migrationId, Instant time, Phase oldPhase, Phase newPhase,
                                    ConvergenceLadder.Kind decision, String reason, long pass,
                                    long oldDowntimeLimitMs, long newDowntimeLimitMs, String commandId) implements MigrationEvent {
    }

    /** Persisted before the switch to post-copy is sent, under {@code commandId}; from here on no cancel. */
    record PostcopySwitchRequested(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String reason,
                                   String commandId) implements Explained {
    }

    /** Persisted before {@code migrate_cancel} is sent to the source, under {@code commandId}. */
    record CancellationRequested(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String reason,
                                 String commandId) implements Explained {
    }

    /**
     * The source completed (or the destination reported the incoming migration completed first): the guest's state
     * is on the destination, which must confirm it runs it.
     */
    record SwitchoverCompleted(String migrationId, Instant time, Phase oldPhase, Phase newPhase) implements MigrationEvent {
    }

    /**
     * The destination has not confirmed it runs the guest for longer than a switchover takes; recorded once,
     * with what the destination last said. Nothing is done on either host: while the destination may run the
     * guest, resuming the source could run it twice.
     */
    record ConfirmationOverdue(String migrationId, Instant time, Phase oldPhase, Phase newPhase,
                               String reason) implements Explained {
    }

    /**
     * After a pre-copy switchover the destination reports the guest is not there (its QEMU is gone): the
     * source still holds the whole guest, paused. Persisted before the destination is stopped under
     * {@code stopCommandId} and the source resumed under {@code resumeCommandId} (an irreversible step).
     */
    record DestinationLost(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String reason,
                           String destinationVmState, String stopCommandId, String resumeCommandId) implements Explained {
    }

    /** The destination runs the guest; persisted before the source is retired under {@code retireCommandId}. */
    record MigrationCompleted(String migrationId, Instant time, Phase oldPhase, Phase newPhase,
                              String retireCommandId) implements MigrationEvent {
    }

    /** The migration failed, for {@code reason}. */
    record MigrationFailed(String migrationId, Instant time, Phase oldPhase, Phase newPhase,
                           String reason) implements Explained {
    }

    /** The migration was cancelled, for {@code reason}; the guest runs on the source. */
    record MigrationCancelled(String migrationId, Instant time, Phase oldPhase, Phase newPhase,
                              String reason) implements Explained {
    }

    /**
     * The agent of {@code hostId} answered the ended migration's clean-up command {@code commandId} (the source
     * retired, the destination's QEMU stopped), or refused it with {@code error}: either way it has the command,
     * and a recovery does not send it again. The phase stays what it was.
     */
    record CleanUpAnswered(String migrationId, Instant time, Phase oldPhase, Phase newPhase, String commandId,
                           String hostId, boolean ok, String error) implements MigrationEvent {
    }
}
