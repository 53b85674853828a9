/**
 * The audit log: every Drover Kafka record exactly once in PostgreSQL ({@code audit_log}, append-only,
 * idempotent by the CloudEvents id), written by {@link io.drover.coordinator.audit.AuditLogWriter} and read
 * by {@link io.drover.coordinator.audit.AuditQuery}. Records that are not valid Drover records go to
 * {@code audit_rejects}, byte for byte.
 */
package io.drover.coordinator.audit;
