package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope of every Drover Kafka record: a CloudEvents 1.0 event in JSON (structured mode), with
 * Drover's schema version as the extension attribute {@value #SCHEMA_VERSION_ATTRIBUTE}.
 *
 * <pre>{@code
 * {
 *   "specversion": "1.0",
 *   "id": "6f1c9b0e-4a44-4c1e-9d7e-3f0a3c2b8d11",
 *   "source": "drover://host/kvm-17",
 *   "type": "io.drover.qmp.MIGRATION",
 *   "subject": "vm-42",
 *   "time": "2026-11-21T19:45:19.290Z",
 *   "datacontenttype": "application/json",
 *   "droverschemaversion": 1,
 *   "data": {"event": "MIGRATION", "timestamp": "2026-11-21T19:45:19.285690Z", "data": {"status": "setup"}}
 * }
 * }</pre>
 *
 * <p>Reading one ({@link DroverRecordDeserializer}, or {@code Json.mapper().readValue(bytes, DroverRecord.class)})
 * types {@code data} by {@code type} through {@link RecordTypes#dataClass(String)}; for a type this
 * version does not know, or a {@code droverschemaversion} newer than {@link #CURRENT_SCHEMA_VERSION}, the
 * data stays a {@code JsonNode} rather than failing. A record that is not JSON, lacks a required attribute
 * or whose data does not fit its type fails with a message naming the attribute.
 *
 * <p>Compatibility: adding optional members to a data type keeps the schema version (readers ignore
 * unknown members); renaming, removing or changing the meaning of a member bumps it.
 *
 * @param specversion         CloudEvents version, always {@value #SPEC_VERSION}
 * @param id                  unique record id, a random UUID
 * @param source              the producer, {@code drover://host/<hostId>} for agents ({@link #hostSource(String)})
 * @param type                what {@code data} is, one of {@link RecordTypes}
 * @param subject             the VM id; also the Kafka key ({@link #key()})
 * @param time                when the producer observed what the record reports
 * @param datacontenttype     always {@value #DATA_CONTENT_TYPE}
 * @param droverschemaversion Drover's schema version of {@code data} for this {@code type}
 * @param data                the payload
 * @param <T>                 the payload type
 */
@JsonDeserialize(using = DroverRecordJsonDeserializer.class)
public record DroverRecord<T>(
        @JsonProperty("specversion") String specversion,
        @JsonProperty("id") String id,
        @JsonProperty("source") String source,
        @JsonProperty("type") String type,
        @JsonProperty("subject") String subject,
        @JsonProperty("time") Instant time,
        @JsonProperty("datacontenttype") String datacontenttype,
        @JsonProperty(SCHEMA_VERSION_ATTRIBUTE) int droverschemaversion,
        @JsonProperty("data") T data) {

    /** The CloudEvents {@code specversion} Drover writes and reads. */
    public static final String SPEC_VERSION = "1.0";
    /** The {@code datacontenttype} of every Drover record. */
    public static final String DATA_CONTENT_TYPE = "application/json";
    /** Name of the schema-version extension attribute (CloudEvents naming: lower-case letters and digits). */
    public static final String SCHEMA_VERSION_ATTRIBUTE = "droverschemaversion";
    /** The schema version this code writes, and the newest whose data it types. */
    public static final int CURRENT_SCHEMA_VERSION = 1;
    /** Prefix of agents' {@code source}: {@code drover://host/} + host id. */
    public static final String HOST_SOURCE_PREFIX = "drover://host/";

    /**
     * Validates the attributes.
     *
     * @throws IllegalArgumentException naming the first missing or invalid attribute
     */
    public DroverRecord {
        requireAttribute("specversion", specversion);
        if (!SPEC_VERSION.equals(specversion)) {
            throw new IllegalArgumentException(
                    "unsupported CloudEvents attribute 'specversion': '" + specversion + "' (expected '"
                            + SPEC_VERSION + "')");
        }
        requireAttribute("id", id);
        requireAttribute("source", source);
        requireAttribute("type", type);
        requireAttribute("subject", subject);
        if (time == null) {
            throw new IllegalArgumentException("missing required CloudEvents attribute 'time'");
        }
        requireAttribute("datacontenttype", datacontenttype);
        if (droverschemaversion < 1) {
            throw new IllegalArgumentException(
                    "attribute '" + SCHEMA_VERSION_ATTRIBUTE + "' must be a positive integer, was "
                            + droverschemaversion);
        }
    }

    /**
     * A new record of the current schema version with a fresh random id.
     *
     * @param type    one of {@link RecordTypes}
     * @param source  the producer, e.g. {@link #hostSource(String)}
     * @param subject the VM id
     * @param time    when the reported fact was observed
     * @param data    the payload; must be an instance of {@link RecordTypes#dataClass(String)} for a known type
     * @throws IllegalArgumentException on a missing attribute or a data class that does not match the type
     */
    public static <T> DroverRecord<T> create(String type, String source, String subject, Instant time, T data) {
        RecordTypes.dataClass(type).ifPresent(expected -> {
            if (!expected.isInstance(data)) {
                throw new IllegalArgumentException("data of type '" + type + "' must be a "
                        + expected.getSimpleName() + ", was " + (data == null ? "null" : data.getClass().getName()));
            }
        });
        return new DroverRecord<>(SPEC_VERSION, UUID.randomUUID().toString(), source, type, subject, time,
                DATA_CONTENT_TYPE, CURRENT_SCHEMA_VERSION, data);
    }

    /** A forwarded QMP event, of type {@code io.drover.qmp.<EVENT>} ({@link RecordTypes#qmp(String)}). */
    public static DroverRecord<QmpEventData> qmpEvent(String source, String vmId, Instant time, QmpEventData event) {
        Objects.requireNonNull(event, "event");
        return create(RecordTypes.qmp(event.eventName()), source, vmId, time, event);
    }

    /** An agent's {@code source}: {@code drover://host/<hostId>}. */
    public static String hostSource(String hostId) {
        if (hostId == null || hostId.isBlank()) {
            throw new IllegalArgumentException("hostId must not be blank");
        }
        return HOST_SOURCE_PREFIX + hostId;
    }

    /** The Kafka key of this record: the VM id, i.e. {@link #subject()}. */
    public String key() {
        return subject;
    }

    private static void requireAttribute(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing required CloudEvents attribute '" + name + "'");
        }
    }
}
