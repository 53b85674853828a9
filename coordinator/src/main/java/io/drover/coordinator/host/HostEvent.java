package io.drover.coordinator.host;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.events.HostStatus;

import java.time.Instant;

/** What happened to a host, in the past tense, with its own time and the liveness before and after. */
public sealed interface HostEvent extends CborSerializable {
    String hostId();

    Instant time();

    Liveness oldLiveness();

    Liveness newLiveness();

    /** The agent registered (first, or again after its restart): {@code oldRegistration} is null the first time. */
    record HostRegistered(String hostId, Instant time, Liveness oldLiveness, Liveness newLiveness,
                          HostStatus oldRegistration, HostStatus newRegistration) implements HostEvent {
    }

    /** No heartbeat for longer than the timeout. */
    record HostWentDown(String hostId, Instant time, Liveness oldLiveness, Liveness newLiveness,
                        Instant lastHeartbeatAt, String reason) implements HostEvent {
    }

    /** A heartbeat from a host that was down. */
    record HostCameBack(String hostId, Instant time, Liveness oldLiveness, Liveness newLiveness, Instant downSince,
                        long sequence) implements HostEvent {
    }
}
