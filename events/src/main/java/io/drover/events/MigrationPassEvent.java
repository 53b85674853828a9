package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QMP event {@code MIGRATION_PASS} (QEMU 2.6): the source started a pass over RAM (a dirty-bitmap sync).
 * Emitted on the source only. Data: {@code {"pass": 2}}.
 *
 * @param pass the pass number, counting from 1 (mandatory)
 */
public record MigrationPassEvent(@JsonProperty("pass") long pass) implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "MIGRATION_PASS";

    @Override
    public String eventName() {
        return NAME;
    }
}
