package io.drover.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * QMP event {@code STOP} (QEMU 0.13): the guest's vCPUs stopped. During a migration this marks the start
 * of downtime on the source (and snapshot jobs stop the guest too). QEMU sends no {@code data}; this
 * payload is written as {@code {}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StopEvent() implements QmpEventPayload {

    /** The QMP event name. */
    public static final String NAME = "STOP";

    @Override
    public String eventName() {
        return NAME;
    }
}
