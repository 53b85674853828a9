package io.drover.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;

/**
 * Kafka value serializer for {@link DroverRecord}: CloudEvents 1.0 JSON in structured mode, written by
 * {@link Json#mapper()}. When Kafka passes headers, it sets {@value #CONTENT_TYPE_HEADER} to
 * {@value #STRUCTURED_CONTENT_TYPE}, as the CloudEvents Kafka binding requires. Use a
 * {@code StringSerializer} for the key, the VM id ({@link DroverRecord#key()}). Null writes null (a tombstone).
 */
public final class DroverRecordSerializer implements Serializer<DroverRecord<?>> {

    /** The Kafka header the CloudEvents Kafka binding uses for the content type. */
    public static final String CONTENT_TYPE_HEADER = "content-type";
    /** The content type of a structured-mode CloudEvents JSON record. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    @Override
    public byte[] serialize(String topic, DroverRecord<?> record) {
        if (record == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot serialize DroverRecord " + record.id() + " of type '"
                    + record.type() + "' for topic '" + topic + "': " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public byte[] serialize(String topic, Headers headers, DroverRecord<?> record) {
        if (record != null && headers != null) {
            headers.remove(CONTENT_TYPE_HEADER);
            headers.add(CONTENT_TYPE_HEADER, STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        }
        return serialize(topic, record);
    }
}
