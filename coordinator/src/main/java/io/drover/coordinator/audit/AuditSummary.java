package io.drover.coordinator.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.events.RecordTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A one-line, human summary of a record's data for {@code drover audit}: the few members that say what
 * happened (e.g. {@code status=active} for a QMP {@code MIGRATION} event), or the data as compact JSON for
 * types without a summary of their own.
 */
public final class AuditSummary {

    /** Keeps a table row on one terminal line. */
    static final int MAX_LENGTH = 100;

    /** The members (paths, dot-separated) summarising each known type. */
    private static final Map<String, List<String>> MEMBERS = Map.of(
            RecordTypes.COORDINATOR_DECISION, List.of("event", "newPhase", "reason"),
            RecordTypes.MIGRATION_SAMPLE, List.of("role", "info.status", "info.ram.remaining", "info.cpu-throttle-percentage"),
            RecordTypes.MIGRATION_OUTCOME, List.of("status", "passes", "downtimeMs", "totalTimeMs", "errorDesc"),
            RecordTypes.AGENT_COMMAND, List.of("command", "migrationId"),
            RecordTypes.COMMAND_RESULT, List.of("command", "ok", "error", "duplicate"),
            RecordTypes.HOST_REGISTERED, List.of("qemuVersion", "accel", "memoryMiB", "vcpus"),
            RecordTypes.HOST_HEARTBEAT, List.of("sequence", "accel"));

    private AuditSummary() {
    }

    /** The summary of {@code data} of a record of {@code type}. */
    public static String of(String type, JsonNode data) {
        String summary;
        if (RecordTypes.isQmp(type)) {
            summary = scalars(data.path("data"));
        } else if (MEMBERS.containsKey(type)) {
            summary = members(data, MEMBERS.get(type));
        } else {
            summary = data.isMissingNode() ? "" : data.toString();
        }
        return summary.length() <= MAX_LENGTH ? summary : summary.substring(0, MAX_LENGTH - 1) + "…";
    }

    private static String members(JsonNode data, List<String> paths) {
        List<String> parts = new ArrayList<>();
        for (String path : paths) {
            JsonNode value = data;
            for (String name : path.split("\\.")) {
                value = value.path(name);
            }
            if (value.isValueNode() && !value.isNull()) {
                parts.add(path.substring(path.lastIndexOf('.') + 1) + "=" + value.asText());
            }
        }
        return String.join(" ", parts);
    }

    private static String scalars(JsonNode object) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                parts.add(e.getKey() + "=" + e.getValue().asText());
            }
        }
        return String.join(" ", parts);
    }
}
