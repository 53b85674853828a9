package io.drover.coordinator.host;

import io.drover.coordinator.infra.CborSerializable;
import io.drover.events.HostStatus;

import java.time.Instant;

/**
 * Where a host stands.
 *
 * @param registration the agent's last registration, with what the host offers; null when unknown
 * @param since        when the host entered {@code liveness}
 * @param reason       why it is down; null otherwise
 */
public record HostSummary(String hostId, Liveness liveness, HostStatus registration, Instant since,
                          String reason) implements CborSerializable {
}
