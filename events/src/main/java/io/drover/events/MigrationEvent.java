package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * QMP event {@code MIGRATION} (QEMU 2.4; emitted only with the {@code events} capability): the migration
 * changed status. Emitted on both source and destination. Data: {@code {"status": "completed"}}.
 *
 * @param status the new status (mandatory; an unknown value is kept, see {@link MigrationStatus})
 */
public record MigrationEvent(@JsonProperty("status") MigrationStatus status) implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "MIGRATION";

    public MigrationEvent {
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String eventName() {
        return NAME;
    }
}
