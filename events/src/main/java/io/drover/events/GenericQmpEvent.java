package io.drover.events;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Objects;

/**
 * Any QMP event without a typed payload (e.g. {@code SHUTDOWN}, {@code BLOCK_JOB_COMPLETED}), and a known
 * event whose data did not fit its type. The data is kept verbatim and written as-is.
 *
 * @param event the QMP event name (not null)
 * @param data  the QMP {@code data} (a private copy); an empty object when QEMU sent none (never null)
 */
public record GenericQmpEvent(String event, JsonNode data) implements QmpEventPayload {

    public GenericQmpEvent {
        Objects.requireNonNull(event, "event");
        data = data == null || data.isMissingNode() || data.isNull()
                ? JsonNodeFactory.instance.objectNode()
                : data.deepCopy();
    }

    @Override
    public String eventName() {
        return event;
    }

    /** Written as QEMU's data object itself. */
    @JsonValue
    @Override
    public JsonNode data() {
        return data;
    }
}
