package io.drover.coordinator.host;

import io.drover.coordinator.host.HostEvent.*;
import io.drover.coordinator.infra.CborSerializable;
import io.drover.events.HostStatus;

import java.time.Instant;

/** A host's lifecycle, one type per liveness, transitions as methods taking their event. */
public sealed interface HostState extends CborSerializable {

    HostSummary summary(String hostId);

    /** Never registered. */
    record Unknown() implements HostState {
        public HostSummary summary(String hostId) {
            return new HostSummary(hostId, Liveness.UNKNOWN, null, null, null);
        }

        Up registered(HostRegistered e) {
            return new Up(e.newRegistration(), e.time());
        }
    }

    /** Registered and heartbeating. */
    record Up(HostStatus registration, Instant since) implements HostState {
        public HostSummary summary(String hostId) {
            return new HostSummary(hostId, Liveness.UP, registration, since, null);
        }

        Up registered(HostRegistered e) {
            return new Up(e.newRegistration(), since);
        }

        Down wentDown(HostWentDown e) {
            return new Down(registration, e.time(), e.lastHeartbeatAt(), e.reason());
        }
    }

    /** Missed its heartbeats. */
    record Down(HostStatus registration, Instant since, Instant lastHeartbeatAt, String reason) implements HostState {
        public HostSummary summary(String hostId) {
            return new HostSummary(hostId, Liveness.DOWN, registration, since, reason);
        }

        Up registered(HostRegistered e) {
            return new Up(e.newRegistration(), e.time());
        }

        Up cameBack(HostCameBack e) {
            return new Up(registration, e.time());
        }
    }
}
