package io.drover.coordinator.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.drover.coordinator.infra.CborSerializable;

/**
 * Published on the cluster-wide topic {@link #TOPIC} once a migration has persisted its end (completed, failed,
 * cancelled): what a long poll of the API waits for, instead of asking the entity again and again. A notice
 * only; the waiter reads the outcome from the entity.
 */
public record MigrationEnded(@JsonProperty("migrationId") String migrationId) implements CborSerializable {
    /** The name of the pekko {@code Topic} it is published on. */
    public static final String TOPIC = "drover-migration-ended";
}
