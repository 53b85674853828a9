package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Objects;

/**
 * One QMP event as an agent saw it: the {@code data} of records of type {@code io.drover.qmp.<EVENT>}
 * (see {@link RecordTypes#qmp(String)}).
 *
 * <p>Drover's JSON keeps QEMU's member names, with the timestamp in ISO-8601 and {@code data} always
 * present:
 * <pre>{@code
 * {"event": "MIGRATION", "timestamp": "2026-11-21T19:45:19.285690Z", "data": {"status": "setup"}}
 * }</pre>
 * whereas QEMU writes {@code {"timestamp": {"seconds": 1795290319, "microseconds": 285690},
 * "event": "MIGRATION", "data": {"status": "setup"}}} ({@link #fromQmp(JsonNode)}, {@link #toQmp()}).
 *
 * @param eventName the QMP event name, e.g. {@code "MIGRATION"}
 * @param timestamp when QEMU emitted the event (QEMU's host clock, microsecond precision)
 * @param payload   the event's data; its {@link QmpEventPayload#eventName()} equals {@code eventName}
 * @param instance  which QEMU of the VM sent it, e.g. {@code "source"} or {@code "destination"}; optional
 * @param sequence  the event's position among those that QEMU instance sent on one QMP connection
 *                  (0, 1, 2, ...), so that consumers can check none is missing or out of order; optional
 */
public record QmpEventData(
        @JsonProperty("event") String eventName,
        @JsonProperty("timestamp") Instant timestamp,
        @JsonProperty("data") QmpEventPayload payload,
        @JsonProperty("instance") String instance,
        @JsonProperty("sequence") Long sequence) {

    public QmpEventData {
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(payload, "payload");
        if (!eventName.equals(payload.eventName())) {
            throw new IllegalArgumentException(
                    "eventName '" + eventName + "' does not match the payload's '" + payload.eventName() + "'");
        }
    }

    /** An event with no instance or sequence. */
    public QmpEventData(String eventName, Instant timestamp, QmpEventPayload payload) {
        this(eventName, timestamp, payload, null, null);
    }

    /** An event named after its payload. */
    public QmpEventData(Instant timestamp, QmpEventPayload payload) {
        this(Objects.requireNonNull(payload, "payload").eventName(), timestamp, payload);
    }

    /** Reads Drover's JSON form; the payload is typed by {@link QmpEventPayload#of(String, JsonNode)}. */
    @JsonCreator
    static QmpEventData fromJson(
            @JsonProperty("event") String event,
            @JsonProperty("timestamp") Instant timestamp,
            @JsonProperty("data") JsonNode data,
            @JsonProperty("instance") String instance,
            @JsonProperty("sequence") Long sequence) {
        return new QmpEventData(event, timestamp, QmpEventPayload.of(Objects.requireNonNull(event, "event"), data),
                instance, sequence);
    }

    /**
     * Reads one event exactly as QEMU sends it on the QMP socket.
     *
     * @throws IllegalArgumentException naming the member, if {@code event} or {@code timestamp} is missing
     *                                  or malformed
     */
    public static QmpEventData fromQmp(JsonNode message) {
        JsonNode event = message == null ? null : message.get("event");
        if (event == null || !event.isTextual()) {
            throw new IllegalArgumentException("not a QMP event: missing string member 'event'");
        }
        JsonNode ts = message.get("timestamp");
        JsonNode seconds = ts == null ? null : ts.get("seconds");
        JsonNode micros = ts == null ? null : ts.get("microseconds");
        if (seconds == null || !seconds.canConvertToLong() || micros == null || !micros.canConvertToLong()) {
            throw new IllegalArgumentException(
                    "QMP event " + event.asText() + ": 'timestamp' must be {\"seconds\": int, \"microseconds\": int}");
        }
        Instant timestamp = Instant.ofEpochSecond(seconds.asLong(), micros.asLong() * 1_000L);
        return new QmpEventData(event.asText(), timestamp, QmpEventPayload.of(event.asText(), message.get("data")));
    }

    /**
     * This event exactly as QEMU would send it: {@code timestamp} as seconds and microseconds, and no
     * {@code data} member when the data is empty (as for {@code STOP} and {@code RESUME}).
     */
    public ObjectNode toQmp() {
        ObjectNode qmp = Json.mapper().createObjectNode();
        ObjectNode ts = qmp.putObject("timestamp");
        ts.put("seconds", timestamp.getEpochSecond());
        ts.put("microseconds", timestamp.getNano() / 1_000);
        qmp.put("event", eventName);
        JsonNode data = Json.mapper().valueToTree(payload);
        if (!data.isEmpty()) {
            qmp.set("data", data);
        }
        return qmp;
    }
}
