package io.drover.coordinator.host;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.events.HostStatus;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/** The protocol of {@link HostEntity}: what its agent publishes on drover.hosts, and queries. */
public sealed interface HostCommand extends CborSerializable {

    /** A command that is answered. */
    sealed interface Replying extends HostCommand {
        ActorRef<StatusReply<HostSummary>> replyTo();
    }

    /** The agent's registration (sequence 0), at every agent start. */
    record Register(HostStatus status, ActorRef<StatusReply<HostSummary>> replyTo) implements Replying {
    }

    /** A periodic heartbeat. */
    record Heartbeat(HostStatus status, ActorRef<StatusReply<HostSummary>> replyTo) implements Replying {
    }

    record Get(ActorRef<StatusReply<HostSummary>> replyTo) implements Replying {
    }

    /** From the entity's own timer: has the host missed its heartbeats? Not answered. */
    record CheckLiveness() implements HostCommand {
    }
}
