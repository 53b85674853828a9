package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.Objects;

/**
 * One {@code query-migrate} result sampled by an agent during a migration: the {@code data} of records of
 * type {@link RecordTypes#MIGRATION_SAMPLE}. {@code info} is QEMU's answer verbatim (kebab-case names,
 * unknown members kept).
 *
 * @param migrationId Drover's identifier of the migration
 * @param role        which end sampled it
 * @param sampledAt   when the agent got the answer
 * @param info        QEMU's {@code query-migrate} result
 */
public record MigrationSample(
        @JsonProperty("migrationId") String migrationId,
        @JsonProperty("role") MigrationRole role,
        @JsonProperty("sampledAt") Instant sampledAt,
        @JsonProperty("info") MigrationInfo info) {

    public MigrationSample {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(sampledAt, "sampledAt");
        Objects.requireNonNull(info, "info");
    }
}
