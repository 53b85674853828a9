package io.drover.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.coordinator.policy.CoordinatorPolicy;
import io.drover.events.Json;
import io.drover.events.MigrationPolicy;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The body of {@code POST /api/migrations}: {@code {"vmId": ..., "to": ..., "policy": {...}?}}. The policy's
 * settings are {@link MigrationPolicy}'s JSON names, which the agents apply, plus the convergence ladder's
 * {@link #LADDER_FIELDS}, which the coordinator applies; those left out keep their defaults. Durations are
 * ISO-8601 ({@code "PT150S"}) or a number of seconds. Parsing fails with a 400 naming the field and what is wrong.
 */
public record MigrationRequest(String vmId, String to, CoordinatorPolicy policy) {
    static final Set<String> FIELDS = Set.of("vmId", "to", "policy");
    /** The ladder's settings, beside the agents' policy: see {@link CoordinatorPolicy}. */
    static final Set<String> LADDER_FIELDS = Set.of("downtimeSteps", "completionTimeoutPerGiB", "stallTimeout");
    static final Set<String> POLICY_FIELDS = Stream.concat(Arrays.stream(MigrationPolicy.class.getRecordComponents())
            .map(RecordComponent::getName), LADDER_FIELDS.stream()).collect(Collectors.toUnmodifiableSet());

    public static MigrationRequest parse(String body) {
        JsonNode root = parseJson(body);
        if (!root.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object, got " + root.getNodeType().toString().toLowerCase());
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.badRequest(f, "unknown field " + f + " (expected vmId, to and policy)");
            }
        }
        String vmId = requiredText(root, "vmId");
        String to = requiredText(root, "to");
        return new MigrationRequest(vmId, to, policy(root.get("policy")));
    }

    static JsonNode parseJson(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(null, "the body is empty; a JSON object is expected");
        }
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        }
    }

    static String requiredText(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw ApiException.badRequest(field, field + " is missing");
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string, got " + n.getNodeType().toString().toLowerCase());
        }
        if (n.asText().isBlank()) {
            throw ApiException.badRequest(field, field + " must not be blank");
        }
        return n.asText();
    }

    /** The policy over the defaults, or a 400 naming the setting; impossible combinations name the rule broken. */
    static CoordinatorPolicy policy(JsonNode n) {
        if (n == null || n.isNull()) {
            return CoordinatorPolicy.of(MigrationPolicy.defaults());
        }
        if (!n.isObject()) {
            throw ApiException.badRequest("policy", "policy must be a JSON object, got " + n.getNodeType().toString().toLowerCase());
        }
        ObjectNode merged = Json.mapper().valueToTree(MigrationPolicy.defaults());
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!POLICY_FIELDS.contains(f)) {
                throw ApiException.badRequest("policy." + f, "unknown policy setting " + f + " (known: "
                        + POLICY_FIELDS.stream().sorted().collect(Collectors.joining(", ")) + ")");
            }
            JsonNode v = n.get(f);
            if (LADDER_FIELDS.contains(f)) {
                continue;
            }
            if (v.isNull()) {
                merged.remove(f);
            } else {
                // One setting at a time, so that a wrong type names its setting.
                ObjectNode one = merged.deepCopy();
                one.set(f, v);
                try {
                    Json.mapper().treeToValue(one, MigrationPolicy.class);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    throw ApiException.badRequest("policy." + f, "policy." + f + " has a wrong value " + v
                            + ": " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
                }
                merged.set(f, v);
            }
        }
        MigrationPolicy p;
        try {
            p = Json.mapper().treeToValue(merged, MigrationPolicy.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("policy", "policy: " + e.getOriginalMessage());
        }
        CoordinatorPolicy cp = CoordinatorPolicy.of(p);
        if (n.hasNonNull("downtimeSteps")) {
            JsonNode v = n.get("downtimeSteps");
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw ApiException.badRequest("policy.downtimeSteps", "policy.downtimeSteps must be a whole number, got " + v);
            }
            cp = cp.withDowntimeSteps(v.intValue());
        }
        if (n.hasNonNull("completionTimeoutPerGiB")) {
            cp = cp.withCompletionTimeoutPerGiB(duration(n.get("completionTimeoutPerGiB"), "completionTimeoutPerGiB"));
        }
        if (n.hasNonNull("stallTimeout")) {
            cp = cp.withStallTimeout(duration(n.get("stallTimeout"), "stallTimeout"));
        }
        List<String> problems = cp.problems();
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("policy", "impossible migration policy: " + String.join("; ", problems));
        }
        return cp;
    }

    /** ISO-8601 ({@code "PT2M30S"}) or a number of seconds. */
    static Duration duration(JsonNode v, String field) {
        if (v.isNumber()) {
            return Duration.ofMillis(Math.round(v.doubleValue() * 1000));
        }
        if (v.isTextual()) {
            try {
                return Duration.parse(v.asText());
            } catch (DateTimeParseException e) {
                // named below
            }
        }
        throw ApiException.badRequest("policy." + field, "policy." + field + " must be a duration, ISO-8601 like \"PT150S\""
                + " or a number of seconds, got " + v);
    }
}
