package io.drover.coordinator.migration;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.events.MigrationInfo;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

import java.time.Instant;

/**
 * The protocol of {@link MigrationEntity}: what an operator asks ({@link Create}, {@link Cancel},
 * {@link Get}) and what the agents report, turned into commands by whoever reads their results and
 * events. Every command but {@link Tick} and {@link KeepWarm} is answered with a {@link StatusReply} of the migration's
 * {@link MigrationSummary}: an error naming what is wrong when rejected, success otherwise (also for a
 * repeat, which persists nothing).
 */
public sealed interface MigrationCommand extends CborSerializable {

    /** A command that is answered. */
    sealed interface Replying extends MigrationCommand {
        ActorRef<StatusReply<MigrationSummary>> replyTo();
    }

    /** Migrate {@code vmId} (with its size, for the destination's QEMU) from one host to another under a policy. */
    record Create(String vmId, String sourceHost, String destinationHost, int memoryMiB, int vcpus,
                  CoordinatorPolicy policy, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The destination's result of prepare-incoming: it listens on {@code uri}. */
    record DestinationPrepared(String uri, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The destination could not prepare. */
    record DestinationPrepareFailed(String error, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The source accepted {@code migrate} (the start-migration result). */
    record MigrationStarted(ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** A {@code query-migrate} sample of the source, taken at {@code sampledAt}. */
    record Progress(MigrationInfo info, Instant sampledAt, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The source reports {@code completed}: the guest's state has been handed over. */
    record SourceCompleted(ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The source reports {@code failed} (or {@code cancelled}), with QEMU's error-desc. */
    record SourceFailed(String errorDesc, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The destination answered a query with a VM state other than running ({@code stopped}: its QEMU is gone). */
    record DestinationNotRunning(String vmState, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The source runs the guest again (the resume-source result). */
    record SourceResumed(ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The source refused or failed resume-source. */
    record SourceResumeFailed(String error, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The destination runs the guest. */
    record DestinationConfirmed(ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /**
     * An agent answered an ended migration's clean-up ({@code retire-source} or {@code stop-destination}, by its
     * command id); {@code ok} false with the agent's {@code error}. Once recorded, a recovery no longer re-sends it.
     */
    record CleanUpAnswered(String commandId, String hostId, boolean ok, String error,
                           ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** An operator cancels the migration; refused once in post-copy or after switchover. */
    record Cancel(String reason, ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** The current state. */
    record Get(ActorRef<StatusReply<MigrationSummary>> replyTo) implements Replying {
    }

    /** Its summary with the last two recorded samples: what {@code GET /api/migrations/{id}} shows. */
    record GetDetail(ActorRef<StatusReply<MigrationDetail>> replyTo) implements MigrationCommand {
    }

    /** From the entity's own timer: check the timeouts. Not answered. */
    record Tick() implements MigrationCommand {
    }

    /**
     * Stay in memory, recovered and empty, until {@code untilEpochMilli}: this id is a spare that the API hands to
     * a coming request, so that its {@link Create} finds the entity ready instead of waiting for its recovery
     * (three journal and snapshot queries). Not answered; a migration that exists ignores it.
     */
    record KeepWarm(long untilEpochMilli) implements MigrationCommand {
    }
}
