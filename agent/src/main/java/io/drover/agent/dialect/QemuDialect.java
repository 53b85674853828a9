package io.drover.agent.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpExecuteException;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one QEMU process speaks: its version, commands, events, migration capabilities and
 * migration parameters, learned on connect from {@code query-version}, {@code query-commands},
 * {@code query-qmp-schema} (QEMU 2.5+) and, where the schema is missing, from
 * {@code query-migrate-capabilities} and {@code query-migrate-parameters}.
 *
 * <p>Names that QEMU renamed between releases are kept as alias groups; {@link #capability} and
 * {@link #parameter} map any member of a group to the one this QEMU accepts, in either direction
 * (a 2017 name on QEMU 7.2, or a 7.2 name on QEMU 2.11).
 */
public final class QemuDialect {

    /** Capabilities that QEMU renamed: every name in a group means the same feature. */
    private static final List<List<String>> CAPABILITY_ALIASES = List.of(
            List.of("multifd", "x-multifd"),            // x-multifd (2.11) became multifd (4.0)
            List.of("x-colo", "colo"));                 // spelled x-colo to this day; colo kept for symmetry

    /** Parameters that QEMU renamed. */
    private static final List<List<String>> PARAMETER_ALIASES = List.of(
            List.of("multifd-channels", "x-multifd-channels"));   // renamed in QEMU 4.0

    /** Why a 2017 feature with no successor is missing, for the error text. */
    private static final Map<String, String> REMOVED = Map.of(
            "x-multifd-page-count", "removed in QEMU 4.1 (multifd sends whole pages per channel now); it has no successor",
            "block", "removed in QEMU 8.1; use drive-mirror to an NBD server on the destination",
            "compress", "removed in QEMU 9.1",
            "block-incremental", "removed in QEMU 8.1 with block migration");

    private final QemuVersion version;
    private final Set<String> commands;
    private final Set<String> events;
    private final Set<String> capabilities;
    private final Set<String> parameters;
    private final boolean fromSchema;

    public QemuDialect(QemuVersion version, Set<String> commands, Set<String> events,
                       Set<String> capabilities, Set<String> parameters, boolean fromSchema) {
        this.version = version;
        this.commands = Collections.unmodifiableSet(new TreeSet<>(commands));
        this.events = Collections.unmodifiableSet(new TreeSet<>(events));
        this.capabilities = Collections.unmodifiableSet(new LinkedHashSet<>(capabilities));
        this.parameters = Collections.unmodifiableSet(new LinkedHashSet<>(parameters));
        this.fromSchema = fromSchema;
    }

    /**
     * Dialects already learned in this JVM, by QEMU build: {@code query-version} (which includes the
     * distribution's package string) and {@code query-target}. Like libvirt's capabilities cache, keyed by
     * binary: reading and walking {@code query-qmp-schema} costs ~70 ms per QEMU, paid on every destination
     * an agent starts, while one build always speaks the same dialect.
     */
    private static final Map<String, QemuDialect> LEARNED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The dialect of the QEMU behind {@code qmp}: learned once per QEMU build (two cheap queries tell the
     * build), then from {@link #LEARNED}.
     */
    public static QemuDialect learnCached(QmpClient qmp) {
        // Both asked at once: one round trip, on the path of every destination an agent starts.
        var targetReply = qmp.executeAsync("query-target", null, QmpClient.DEFAULT_TIMEOUT);
        var versionReply = qmp.executeAsync("query-version", null, QmpClient.DEFAULT_TIMEOUT);
        String target;
        try {
            target = QmpClient.await(targetReply, "query-target").toString();
        } catch (io.drover.agent.qmp.QmpExecuteException e) {
            target = "(no query-target: before QEMU 1.2)";
        }
        String key = QmpClient.await(versionReply, "query-version") + " " + target;
        QemuDialect known = LEARNED.get(key);
        if (known != null) {
            return known;
        }
        QemuDialect learned = learn(qmp);
        QemuDialect raced = LEARNED.putIfAbsent(key, learned);
        return raced != null ? raced : learned;
    }

    /** Learns the dialect of the QEMU behind {@code qmp}, always asking it (see {@link #learnCached}). */
    public static QemuDialect learn(QmpClient qmp) {
        QemuVersion version = QemuVersion.fromQmp(qmp.execute("query-version"));
        Set<String> commands = new TreeSet<>();
        for (JsonNode c : qmp.execute("query-commands")) {
            commands.add(c.path("name").asText());
        }
        Set<String> events = new TreeSet<>();
        Set<String> caps = new LinkedHashSet<>();
        Set<String> params = new LinkedHashSet<>();
        boolean fromSchema = false;
        if (commands.contains("query-qmp-schema")) {
            QmpSchema schema = new QmpSchema(qmp.execute("query-qmp-schema"));
            events.addAll(schema.eventNames());
            caps.addAll(schema.capabilityNames());
            params.addAll(schema.commandArgumentNames("migrate-set-parameters"));
            fromSchema = !caps.isEmpty() && !params.isEmpty();
        }
        if (caps.isEmpty() && commands.contains("query-migrate-capabilities")) {
            for (JsonNode c : qmp.execute("query-migrate-capabilities")) {
                caps.add(c.path("capability").asText());
            }
        }
        if (params.isEmpty() && commands.contains("query-migrate-parameters")) {
            qmp.execute("query-migrate-parameters").fieldNames().forEachRemaining(params::add);
        }
        return new QemuDialect(version, commands, events, caps, params, fromSchema);
    }

    public QemuVersion version() {
        return version;
    }

    public Set<String> commands() {
        return commands;
    }

    public Set<String> events() {
        return events;
    }

    public Set<String> capabilities() {
        return capabilities;
    }

    public Set<String> parameters() {
        return parameters;
    }

    /** True when the lists came from {@code query-qmp-schema} rather than the query commands. */
    public boolean fromSchema() {
        return fromSchema;
    }

    public boolean hasCommand(String name) {
        return commands.contains(name);
    }

    /** Throws {@link UnsupportedFeatureException} unless this QEMU has the command. */
    public void requireCommand(String name) {
        if (!commands.contains(name)) {
            throw new UnsupportedFeatureException("command '" + name + "'", version, REMOVED.get(name));
        }
    }

    public Optional<String> findCapability(String anyName) {
        return resolve(anyName, capabilities, CAPABILITY_ALIASES);
    }

    public Optional<String> findParameter(String anyName) {
        return resolve(anyName, parameters, PARAMETER_ALIASES);
    }

    /** The name this QEMU uses for capability {@code anyName} (2017 or current spelling). */
    public String capability(String anyName) {
        return findCapability(anyName).orElseThrow(() ->
                new UnsupportedFeatureException("migration capability '" + anyName + "'", version, REMOVED.get(anyName)));
    }

    /** The name this QEMU uses for parameter {@code anyName} (2017 or current spelling). */
    public String parameter(String anyName) {
        return findParameter(anyName).orElseThrow(() ->
                new UnsupportedFeatureException("migration parameter '" + anyName + "'", version, REMOVED.get(anyName)));
    }

    /** Every spelling, old and new, of a capability or parameter name (the name itself first). */
    public static List<String> aliasesOf(String name) {
        for (List<String> g : concat(CAPABILITY_ALIASES, PARAMETER_ALIASES)) {
            if (g.contains(name)) {
                List<String> out = new java.util.ArrayList<>();
                out.add(name);
                g.stream().filter(n -> !n.equals(name)).forEach(out::add);
                return out;
            }
        }
        return List.of(name);
    }

    private static Optional<String> resolve(String name, Set<String> supported, List<List<String>> aliases) {
        if (supported.contains(name)) {
            return Optional.of(name);
        }
        for (List<String> group : aliases) {
            if (group.contains(name)) {
                return group.stream().filter(supported::contains).findFirst();
            }
        }
        return Optional.empty();
    }

    private static List<List<String>> concat(List<List<String>> a, List<List<String>> b) {
        List<List<String>> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public String toString() {
        return "QEMU " + version + " (" + commands.size() + " commands, " + capabilities.size() + " migration capabilities, "
                + parameters.size() + " migration parameters" + (fromSchema ? ", from query-qmp-schema" : "") + ")";
    }

    /** Reads the parts of {@code query-qmp-schema} that the dialect needs. */
    static final class QmpSchema {
        private final Map<String, JsonNode> byName = new HashMap<>();

        QmpSchema(JsonNode schema) {
            for (JsonNode e : schema) {
                byName.put(e.path("name").asText(), e);
            }
        }

        Set<String> eventNames() {
            Set<String> out = new TreeSet<>();
            byName.values().stream().filter(e -> "event".equals(e.path("meta-type").asText()))
                    .forEach(e -> out.add(e.path("name").asText()));
            return out;
        }

        List<String> commandArgumentNames(String command) {
            JsonNode args = byName.get(byName.getOrDefault(command, missing()).path("arg-type").asText());
            List<String> out = new java.util.ArrayList<>();
            if (args != null) {
                args.path("members").forEach(m -> out.add(m.path("name").asText()));
            }
            return out;
        }

        /** migrate-set-capabilities → capabilities: [T] → T.capability: enum → values. */
        List<String> capabilityNames() {
            List<String> out = new java.util.ArrayList<>();
            JsonNode args = byName.get(byName.getOrDefault("migrate-set-capabilities", missing()).path("arg-type").asText());
            if (args == null) return out;
            JsonNode arrayType = byName.get(memberType(args, "capabilities"));
            JsonNode struct = arrayType == null ? null : byName.get(arrayType.path("element-type").asText());
            JsonNode enumType = struct == null ? null : byName.get(memberType(struct, "capability"));
            if (enumType != null) {
                // QEMU 5.x+ gives "members": [{"name": ...}]; older ones give "values": [...]
                if (enumType.has("members")) {
                    enumType.path("members").forEach(m -> out.add(m.path("name").asText()));
                } else {
                    enumType.path("values").forEach(v -> out.add(v.asText()));
                }
            }
            return out;
        }

        private static String memberType(JsonNode struct, String member) {
            for (JsonNode m : struct.path("members")) {
                if (member.equals(m.path("name").asText())) return m.path("type").asText();
            }
            return "";
        }

        private static JsonNode missing() {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
