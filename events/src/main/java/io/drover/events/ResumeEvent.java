package io.drover.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * QMP event {@code RESUME} (QEMU 0.13): the guest's vCPUs resumed. On the destination it marks the end
 * of a migration's downtime. QEMU sends no {@code data}; this payload is written as {@code {}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResumeEvent() implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "RESUME";

    @Override
    public String eventName() {
        return NAME;
    }
}
