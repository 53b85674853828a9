package io.drover.events;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;

/**
 * Kafka value deserializer for {@link DroverRecord}, typing {@code data} by {@code type}
 * ({@link RecordTypes}). Null reads as null (a tombstone).
 *
 * <p>A poison record (empty, not JSON, a missing or malformed CloudEvents attribute, data that does not
 * fit its type) throws a {@link SerializationException} whose message names the topic and what is wrong,
 * e.g. {@code invalid DroverRecord on topic 'drover.agent.events' (212 bytes): missing required CloudEvents
 * attribute 'type'}. Records of unknown types or newer schema versions are <em>not</em> poison: their data
 * is a {@code JsonNode}.
 */
public final class DroverRecordDeserializer implements Deserializer<DroverRecord<?>> {

    @Override
    public DroverRecord<?> deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String prefix = "invalid DroverRecord on topic '" + topic + "' (" + bytes.length + " bytes): ";
        if (bytes.length == 0) {
            throw new SerializationException(prefix + "empty value");
        }
        try {
            return Json.mapper().readValue(bytes, DroverRecord.class);
        } catch (StreamReadException e) {
            throw new SerializationException(prefix + "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (DatabindException e) {
            throw new SerializationException(prefix + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SerializationException(prefix + e.getMessage(), e);
        }
    }
}
