package io.drover.coordinator.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One record of the audit log as read back.
 *
 * @param seq        the row's position in insertion order
 * @param recordedAt when the audit log stored it
 * @param record     the whole CloudEvent
 */
public record AuditRow(long seq, String eventId, String type, String source, String subject, String vmId,
                       String hostId, String migrationId, Instant eventTime, Instant recordedAt, String topic,
                       int partition, long offset, JsonNode record) {

    /** A one-line, human summary of the record's data ({@link AuditSummary}). */
    public String summary() {
        return AuditSummary.of(type, record.path("data"));
    }
}
