package io.drover.agent.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.qmp.QmpClient;

import java.util.Iterator;
import java.util.Map;

/**
 * Runs commands of the 2017 migration vocabulary (QEMU 2.11's {@code qapi/migration.json}) against
 * whatever QEMU is connected, translating where QEMU has moved on:
 * <ul>
 *   <li>{@code migrate_set_downtime} (seconds) → {@code migrate-set-parameters downtime-limit} (ms)</li>
 *   <li>{@code migrate_set_speed} → {@code migrate-set-parameters max-bandwidth}</li>
 *   <li>{@code migrate-set-cache-size} / {@code query-migrate-cache-size} → {@code xbzrle-cache-size}</li>
 *   <li>{@code x-multifd} → {@code multifd}, {@code x-multifd-channels} → {@code multifd-channels}</li>
 * </ul>
 * Replies keep their 2017 shape: {@code query-migrate-cache-size} still returns an int, and the
 * capability and parameter queries carry the 2017 spellings beside the current ones. A command or
 * name that has no equivalent on this QEMU fails with {@link UnsupportedFeatureException}.
 */
public final class LegacyTranslator {

    /** QEMU refuses downtimes above this many seconds (MAX_MIGRATE_DOWNTIME_SECONDS in migration.c). */
    static final double MAX_DOWNTIME_SECONDS = 2000;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final QmpClient qmp;
    private final QemuDialect dialect;

    public LegacyTranslator(QmpClient qmp, QemuDialect dialect) {
        this.qmp = qmp;
        this.dialect = dialect;
    }

    /** Executes a 2017 command (or any current one) and returns its reply in the 2017 shape. */
    public JsonNode execute(String command, JsonNode arguments) {
        ObjectNode args = arguments == null || arguments.isNull() ? JSON.objectNode() : (ObjectNode) arguments.deepCopy();
        return switch (command) {
            case "migrate_set_downtime" -> viaParameters(command, args, "downtime-limit", downtimeMs(args));
            case "migrate_set_speed" -> viaParameters(command, args, "max-bandwidth", nonNegativeLong(args, command));
            case "migrate-set-cache-size" -> viaParameters(command, args, "xbzrle-cache-size", nonNegativeLong(args, command));
            case "query-migrate-cache-size" -> dialect.hasCommand(command)
                    ? qmp.execute(command)
                    : queryParameters().path(dialect.parameter("xbzrle-cache-size"));
            case "migrate-set-capabilities" -> qmp.execute(command, renameCapabilities(args));
            case "query-migrate-capabilities" -> withLegacyCapabilities(qmp.execute(command));
            case "migrate-set-parameters" -> qmp.execute(command, renameParameters(args));
            case "query-migrate-parameters" -> queryParameters();
            default -> {
                dialect.requireCommand(command);
                yield qmp.execute(command, args.isEmpty() ? null : args);
            }
        };
    }

    /** A legacy setter: native where this QEMU still has it, else one migrate-set-parameters. */
    private JsonNode viaParameters(String command, ObjectNode args, String parameter, long value) {
        if (dialect.hasCommand(command)) {
            return qmp.execute(command, args);
        }
        ObjectNode p = JSON.objectNode().put(dialect.parameter(parameter), value);
        return qmp.execute("migrate-set-parameters", p);
    }

    private static long downtimeMs(ObjectNode args) {
        JsonNode v = args.get("value");
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("migrate_set_downtime: 'value' must be a number of seconds, got " + v);
        }
        double seconds = v.asDouble();
        if (seconds < 0 || seconds > MAX_DOWNTIME_SECONDS) {
            throw new IllegalArgumentException("migrate_set_downtime: 'value' must be between 0 and "
                    + (long) MAX_DOWNTIME_SECONDS + " seconds, got " + seconds);
        }
        return Math.round(seconds * 1000);
    }

    private static long nonNegativeLong(ObjectNode args, String command) {
        JsonNode v = args.get("value");
        if (v == null || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IllegalArgumentException(command + ": 'value' must be a non-negative integer, got " + v);
        }
        return v.asLong();
    }

    private ObjectNode renameCapabilities(ObjectNode args) {
        JsonNode caps = args.get("capabilities");
        if (caps == null || !caps.isArray()) {
            throw new IllegalArgumentException("migrate-set-capabilities: 'capabilities' must be an array");
        }
        ArrayNode out = JSON.arrayNode();
        for (JsonNode c : caps) {
            out.add(JSON.objectNode()
                    .put("capability", dialect.capability(c.path("capability").asText()))
                    .set("state", c.path("state")));
        }
        return JSON.objectNode().set("capabilities", out);
    }

    private ObjectNode renameParameters(ObjectNode args) {
        ObjectNode out = JSON.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.set(dialect.parameter(e.getKey()), e.getValue());
        }
        return out;
    }

    /** The capability list with each renamed capability listed under its other spellings too. */
    private JsonNode withLegacyCapabilities(JsonNode caps) {
        ArrayNode out = ((ArrayNode) caps).deepCopy();
        java.util.Set<String> present = new java.util.HashSet<>();
        caps.forEach(c -> present.add(c.path("capability").asText()));
        for (JsonNode c : caps) {
            for (String alias : QemuDialect.aliasesOf(c.path("capability").asText())) {
                if (present.add(alias)) {
                    out.add(JSON.objectNode().put("capability", alias).set("state", c.path("state")));
                }
            }
        }
        return out;
    }

    /** query-migrate-parameters with each renamed parameter also under its other spellings. */
    private JsonNode queryParameters() {
        ObjectNode params = (ObjectNode) qmp.execute("query-migrate-parameters");
        ObjectNode out = params.deepCopy();
        params.fields().forEachRemaining(e -> {
            for (String alias : QemuDialect.aliasesOf(e.getKey())) {
                if (!out.has(alias)) out.set(alias, e.getValue());
            }
        });
        return out;
    }
}
