package io.drover.coordinator.migration;

import io.drover.coordinator.infra.CborSerializable;

/**
 * What a migration's commands answer: where it stands.
 *
 * @param reason why it failed or was cancelled, or why it switched to post-copy; null otherwise
 */
public record MigrationSummary(String migrationId, Phase phase, String vmId, String sourceHost,
                               String destinationHost, String uri, long pass, long downtimeLimitMs,
                               boolean autoConvergeOn, String reason) implements CborSerializable {
}
