/**
 * One live migration as an event-sourced entity ({@link io.drover.coordinator.migration.MigrationEntity},
 * persistence id {@code Migration|<id>}, sharded as entity type {@code Migration}).
 *
 * <pre>
 *  NEW ─Create─▶ PREPARING ─DestinationPrepared─▶ (PREPARED ─ same write ─▶) MIGRATING ─SourceCompleted─▶ CONFIRMING ─DestinationConfirmed─▶ COMPLETED
 *                   │  └─prepare failed / PREPARE_TIMEOUT─▶ FAILED       │   │  └─ladder: post-copy─▶ POSTCOPY ─SourceCompleted─▶ CONFIRMING
 *                   └─Cancel─▶ CANCELLED                                 │   └─Cancel / ladder: cancel─▶ CANCELLING ─source ends─▶ CANCELLED
 *                                                                        └─SourceFailed─▶ FAILED      (POSTCOPY: Cancel refused; failure ▶ FAILED, no clean-up)
 * </pre>
 *
 * <p>Every step sent to an agent has the id {@code migration/<id>/<step>} (prepare-incoming,
 * start-migration, tune-N, start-postcopy, cancel, retire-source, stop-destination): it is persisted (in
 * the event that moves the phase) before the command is sent, it is the same when the command is re-sent
 * after a recovery, and the agent's result finds its migration by it
 * ({@link io.drover.coordinator.infra.AgentInputs}). Queries are reads and get a fresh id
 * ({@code query-source-<ms>}, {@code query-destination-<ms>}).
 */
package io.drover.coordinator.migration;
