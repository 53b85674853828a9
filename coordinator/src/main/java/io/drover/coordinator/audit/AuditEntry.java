package io.drover.coordinator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.drover.events.DroverRecord;
import io.drover.events.DroverRecordDeserializer;
import io.drover.events.Json;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.time.Instant;

/**
 * One Drover record as the audit log stores it: its CloudEvents attributes, the VM, host and migration
 * ids found in it, where Kafka had it, and the whole event as JSON.
 *
 * <p>The ids: {@code vmId} is the data's {@code vmId}, else the subject (except for host records, whose
 * subject is a host id); {@code hostId} is the data's {@code hostId}, else the subject of a host record,
 * else the host of a {@code drover://host/<hostId>} source; {@code migrationId} is the data's
 * {@code migrationId}. Each is null when the record has none.
 *
 * @param json the whole CloudEvent, as JSON text
 */
public record AuditEntry(String eventId, String type, String source, String subject, String vmId,
                         String hostId, String migrationId, Instant eventTime, String topic, int partition,
                         long offset, String json) {

    /** Types of host records ({@code io.drover.host.registered}, {@code .heartbeat}, ...): subject is a host id. */
    static final String HOST_TYPE_PREFIX = "io.drover.host.";

    private static final DroverRecordDeserializer DESERIALIZER = new DroverRecordDeserializer();

    /**
     * Reads a Kafka record's value as a Drover record.
     *
     * @throws SerializationException naming what is wrong, if the value is not a valid Drover record (a
     *                                poison record) or is null (a tombstone, which Drover never writes)
     */
    public static AuditEntry fromKafka(String topic, int partition, long offset, byte[] value) {
        DroverRecord<?> record = DESERIALIZER.deserialize(topic, value);
        if (record == null) {
            throw new SerializationException("invalid DroverRecord on topic '" + topic + "': null value (a tombstone)");
        }
        try {
            // The tree of what was received, not of the typed record, so that members this version does not
            // know are kept.
            return of(record, Json.mapper().readTree(value), topic, partition, offset);
        } catch (IOException e) {
            throw new SerializationException("invalid DroverRecord on topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    /** The entry of a record as written by the Drover serializer (for writers and tests that hold the record). */
    public static AuditEntry of(DroverRecord<?> record, String topic, int partition, long offset) {
        return of(record, Json.mapper().valueToTree(record), topic, partition, offset);
    }

    private static AuditEntry of(DroverRecord<?> record, JsonNode event, String topic, int partition, long offset) {
        JsonNode data = event.path("data");
        boolean hostRecord = record.type().startsWith(HOST_TYPE_PREFIX);
        String vmId = firstNonNull(text(data, "vmId"), hostRecord ? null : record.subject());
        String hostId = firstNonNull(text(data, "hostId"), hostRecord ? record.subject() : hostOfSource(record.source()));
        try {
            return new AuditEntry(record.id(), record.type(), record.source(), record.subject(), vmId, hostId,
                    text(data, "migrationId"), record.time(), topic, partition, offset,
                    Json.mapper().writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write DroverRecord " + record.id() + " as JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static String hostOfSource(String source) {
        return source.startsWith(DroverRecord.HOST_SOURCE_PREFIX) && source.length() > DroverRecord.HOST_SOURCE_PREFIX.length()
                ? source.substring(DroverRecord.HOST_SOURCE_PREFIX.length())
                : null;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
