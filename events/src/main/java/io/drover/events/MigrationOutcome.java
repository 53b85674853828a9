package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Objects;

/**
 * The summary of one finished migration, published once by the source agent when the migration reaches
 * a terminal {@link MigrationStatus}: the {@code data} of records of type
 * {@link RecordTypes#MIGRATION_OUTCOME}.
 *
 * @param migrationId      Drover's identifier of the migration
 * @param vmId             the migrated VM (also the record's subject and Kafka key)
 * @param status           the final status: {@code completed}, {@code failed} or {@code cancelled}
 * @param passes           RAM passes seen ({@code MIGRATION_PASS} events, i.e. {@code dirty-sync-count})
 * @param totalTimeMs      QEMU's {@code total-time}; absent if the migration never started
 * @param downtimeMs       QEMU's {@code downtime}; present only when completed
 * @param transferredBytes QEMU's {@code ram.transferred}; absent if unknown
 * @param accel            the accelerator the VM ran on: {@code "kvm"} or {@code "tcg"}
 * @param capabilities     the migration capabilities it ran with (e.g. {@code multifd}, {@code xbzrle},
 *                         {@code auto-converge}, {@code postcopy-ram}); empty for none
 * @param errorDesc        QEMU's {@code error-desc} when failed; for people, not for parsing
 */
public record MigrationOutcome(
        @JsonProperty("migrationId") String migrationId,
        @JsonProperty("vmId") String vmId,
        @JsonProperty("status") MigrationStatus status,
        @JsonProperty("passes") int passes,
        @JsonProperty("totalTimeMs") Long totalTimeMs,
        @JsonProperty("downtimeMs") Long downtimeMs,
        @JsonProperty("transferredBytes") Long transferredBytes,
        @JsonProperty("accel") String accel,
        @JsonProperty("capabilities") List<MigrationCapability> capabilities,
        @JsonProperty("errorDesc") String errorDesc) {

    public MigrationOutcome {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(status, "status");
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }
}
