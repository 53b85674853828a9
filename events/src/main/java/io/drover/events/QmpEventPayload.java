package io.drover.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * The {@code data} of a QMP event, typed for the events Drover acts on and generic for all others.
 * Each implementation serialises to exactly QEMU's {@code data} object.
 *
 * <table>
 *   <caption>Typed QMP events</caption>
 *   <tr><th>QMP event</th><th>payload</th><th>since QEMU</th></tr>
 *   <tr><td>{@code MIGRATION}</td><td>{@link MigrationEvent}</td><td>2.4</td></tr>
 *   <tr><td>{@code MIGRATION_PASS}</td><td>{@link MigrationPassEvent}</td><td>2.6</td></tr>
 *   <tr><td>{@code STOP}</td><td>{@link StopEvent}</td><td>0.13</td></tr>
 *   <tr><td>{@code RESUME}</td><td>{@link ResumeEvent}</td><td>0.13</td></tr>
 *   <tr><td>{@code JOB_STATUS_CHANGE}</td><td>{@link JobStatusChangeEvent}</td><td>3.0</td></tr>
 *   <tr><td>{@code COLO_EXIT}</td><td>{@link ColoExitEvent}</td><td>3.1</td></tr>
 *   <tr><td>anything else</td><td>{@link GenericQmpEvent}</td><td></td></tr>
 * </table>
 */
public sealed interface QmpEventPayload
        permits MigrationEvent, MigrationPassEvent, StopEvent, ResumeEvent, JobStatusChangeEvent, ColoExitEvent,
        GenericQmpEvent {

    /** The QMP event name, e.g. {@code "MIGRATION"}. */
    @JsonIgnore
    String eventName();

    /**
     * The payload for a QMP event: the typed record for a known event name, or {@link GenericQmpEvent}
     * for any other name <em>and</em> for a known name whose data does not fit (a mandatory member
     * missing or of the wrong JSON type), so nothing is ever dropped. Unknown enum values inside known
     * events stay typed (e.g. a {@link MigrationEvent} with an unknown {@link MigrationStatus}).
     *
     * @param eventName the QMP {@code event} member, not null
     * @param data      the QMP {@code data} member; null or missing for events without data
     * @return never null; never throws for a non-null name
     */
    static QmpEventPayload of(String eventName, JsonNode data) {
        Objects.requireNonNull(eventName, "eventName");
        Class<? extends QmpEventPayload> type = switch (eventName) {
            case MigrationEvent.NAME -> MigrationEvent.class;
            case MigrationPassEvent.NAME -> MigrationPassEvent.class;
            case StopEvent.NAME -> StopEvent.class;
            case ResumeEvent.NAME -> ResumeEvent.class;
            case JobStatusChangeEvent.NAME -> JobStatusChangeEvent.class;
            case ColoExitEvent.NAME -> ColoExitEvent.class;
            default -> null;
        };
        JsonNode body = data == null || data.isMissingNode() || data.isNull()
                ? Json.mapper().createObjectNode()
                : data;
        if (type != null && body.isObject()) {
            try {
                return Json.mapper().treeToValue(body, type);
            } catch (JsonProcessingException | IllegalArgumentException oddData) {
                // Known name, unexpected shape: keep it, generically.
            }
        }
        return new GenericQmpEvent(eventName, data);
    }
}
