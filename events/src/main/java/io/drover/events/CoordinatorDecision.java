package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * One event of a migration's journal as the coordinator publishes it, on {@link Topics#COORDINATOR_DECISIONS}: the
 * {@code data} of records of type {@link RecordTypes#COORDINATOR_DECISION}. Each step the coordinator takes (the
 * request accepted, the destination prepared, {@code migrate} issued, a convergence decision, the switch to
 * post-copy, a cancellation, the end) is one record; the progress samples it records are not (the agents' own
 * samples are on {@link Topics#AGENT_EVENTS}).
 *
 * <p>The record's {@code id} is derived from the migration id and {@code sequenceNr}, so a record published again
 * (after a coordinator restart) carries the same id, and a consumer that keeps ids (the audit log) keeps it once.
 *
 * @param migrationId     the migration
 * @param sequenceNr      the event's place in the migration's journal, from 1
 * @param vmId            the VM (also the record's subject and Kafka key)
 * @param sourceHost      the host the VM migrates from
 * @param destinationHost the host it migrates to
 * @param event           what happened, the journal's event name: {@code MigrationRequested}, {@code MigrateIssued},
 *                        {@code ConvergenceDecisionTaken}, {@code MigrationCompleted}, ...
 * @param oldPhase        the migration's phase before ({@code NEW}, {@code PREPARING}, {@code MIGRATING}, ...)
 * @param newPhase        its phase after
 * @param reason          why, in words, for the events that have a reason; absent otherwise
 * @param details         the event's own members, as the journal holds them (policy, uri, downtime limit, ...)
 */
public record CoordinatorDecision(
        @JsonProperty("migrationId") String migrationId,
        @JsonProperty("sequenceNr") long sequenceNr,
        @JsonProperty("vmId") String vmId,
        @JsonProperty("sourceHost") String sourceHost,
        @JsonProperty("destinationHost") String destinationHost,
        @JsonProperty("event") String event,
        @JsonProperty("oldPhase") String oldPhase,
        @JsonProperty("newPhase") String newPhase,
        @JsonProperty("reason") String reason,
        @JsonProperty("details") JsonNode details) {

    public CoordinatorDecision {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(newPhase, "newPhase");
        if (sequenceNr < 1) {
            throw new IllegalArgumentException("sequenceNr must be 1 or more, was " + sequenceNr);
        }
    }

    /**
     * The CloudEvents id of the record of this decision: a name-based UUID of the migration id and sequence number,
     * the same every time it is published.
     */
    public String recordId() {
        return java.util.UUID.nameUUIDFromBytes(("drover-coordinator-decision/" + migrationId + "/" + sequenceNr)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** The record of this decision, as the coordinator ({@code source}) publishes it, at the event's own time. */
    public DroverRecord<CoordinatorDecision> record(String source, java.time.Instant time) {
        return new DroverRecord<>(DroverRecord.SPEC_VERSION, recordId(), source, RecordTypes.COORDINATOR_DECISION, vmId,
                time, DroverRecord.DATA_CONTENT_TYPE, DroverRecord.CURRENT_SCHEMA_VERSION, this);
    }
}
