package io.drover.coordinator.audit;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A Kafka record the audit log could not store as a Drover record, kept byte for byte in
 * {@code audit_rejects} with the reason.
 *
 * @param key   the Kafka key, raw; may be null
 * @param value the Kafka value, raw; null for a tombstone
 * @param error what is wrong with it
 */
public record AuditReject(String topic, int partition, long offset, byte[] key, byte[] value, String error) {

    public AuditReject {
        // PostgreSQL text cannot hold NUL, and error messages may quote the bad input.
        error = error == null ? "unknown error" : error.replace("\u0000", "\\u0000");
    }

    /** The reject of a consumed record. */
    public static AuditReject of(ConsumerRecord<byte[], byte[]> record, String error) {
        return new AuditReject(record.topic(), record.partition(), record.offset(), record.key(), record.value(), error);
    }
}
