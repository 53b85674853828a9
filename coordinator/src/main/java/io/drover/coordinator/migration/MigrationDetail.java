package io.drover.coordinator.migration;

import io.drover.coordinator.infra.CborSerializable;

/**
 * A migration's summary with its last two recorded samples (null when there are none yet), from the entity's state:
 * what {@code GET /api/migrations/{id}} shows, without reading the migration's events back from the journal.
 */
public record MigrationDetail(MigrationSummary summary, MigrationEvent.ProgressRecorded last,
                              MigrationEvent.ProgressRecorded previous) implements CborSerializable {
}
