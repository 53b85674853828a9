package io.drover.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An asynchronous QMP event, e.g.
 * {@code {"event": "STOP", "timestamp": {"seconds": 1795290334, "microseconds": 918454}}}.
 *
 * @param name      the event name, e.g. {@code STOP}, {@code RESUME}, {@code MIGRATION}
 * @param data      the event's {@code data} object; an empty object when QEMU sent none (as for
 *                  {@code STOP}). Shared by every listener: do not modify it.
 * @param timestamp when QEMU emitted the event, from its {@code {seconds, microseconds}}; the
 *                  receive time if a (non-QEMU) peer sent no timestamp
 * @param sequence  receive order on this connection: the first event is 1, the next 2, ...
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp, long sequence) {

    /** Nanoseconds per microsecond, to turn QEMU's microseconds into an {@link Instant}. */
    private static final long NANOS_PER_MICRO = 1_000;

    public QmpEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** A filter that accepts events with any of the given names. */
    public static Predicate<QmpEvent> named(String... names) {
        Set<String> wanted = Set.of(names);
        return event -> wanted.contains(event.name());
    }

    /** Builds an event from a QMP message holding an {@code event} member. */
    static QmpEvent fromMessage(JsonNode message, long sequence, Instant receivedAt) {
        JsonNode data = message.get("data");
        return new QmpEvent(message.get("event").asText(),
                data != null && !data.isNull() ? data : QmpJson.MAPPER.createObjectNode(),
                timestampOf(message.path("timestamp"), receivedAt),
                sequence);
    }

    private static Instant timestampOf(JsonNode timestamp, Instant fallback) {
        JsonNode seconds = timestamp.get("seconds");
        JsonNode micros = timestamp.get("microseconds");
        if (seconds == null || micros == null || !seconds.canConvertToLong() || !micros.canConvertToLong()
                || seconds.asLong() < 0 || micros.asLong() < 0) {
            return fallback;
        }
        return Instant.ofEpochSecond(seconds.asLong(), micros.asLong() * NANOS_PER_MICRO);
    }
}
