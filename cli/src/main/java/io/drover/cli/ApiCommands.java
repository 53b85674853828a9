package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drover.events.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The client commands over the coordinator's REST API: {@code hosts}, {@code vms}, {@code migrate},
 * {@code cancel}, {@code show}. An API error prints "drover: ERROR (field: F)" and exits 2 for a 4xx,
 * 1 otherwise (see {@link Drover#commandLine()}).
 */
final class ApiCommands {
    private ApiCommands() {
    }

    static void printJson(PrintStream out, JsonNode n) {
        try {
            out.println(Json.mapper().writeValueAsString(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @Command(name = "hosts", mixinStandardHelpOptions = true, description = "List the hosts the coordinator knows: up or down, QEMU, accel, capacity, VMs.")
    static final class Hosts implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Option(names = "--json", description = "Print the API's JSON.") boolean json;

        @Override
        public Integer call() {
            JsonNode hosts = api.client().get("/api/hosts");
            if (json) {
                printJson(System.out, hosts);
                return 0;
            }
            Table t = new Table("HOST", "STATE", "QEMU", "ACCEL", "MEMORY", "VCPUS", "VMS", "REASON");
            for (JsonNode h : hosts) {
                String vms = h.path("vms").findValuesAsText("vmId").stream().collect(Collectors.joining(","));
                t.row(text(h, "hostId"), text(h, "liveness"), text(h, "qemuVersion"), text(h, "accel"),
                        h.has("memoryMiB") ? h.get("memoryMiB").asLong() + " MiB" : null, text(h, "vcpus"),
                        vms.isEmpty() ? null : vms, text(h, "reason"));
            }
            t.print(System.out);
            return 0;
        }
    }

    @Command(name = "vms", mixinStandardHelpOptions = true, description = "List every VM with its host, from the hosts' latest status.")
    static final class Vms implements Callable<Integer> {
        @Mixin ApiOptions api;
        @Option(names = "--json", description = "Print the API's JSON.") boolean json;

        @Override
        public Integer call() {
            JsonNode vms = api.client().get("/api/vms");
            if (json) {
                printJson(System.out, vms);
                return 0;
            }
            Table t = new Table("VM", "HOST", "STATE", "MEMORY", "VCPUS", "HOST STATE");
            for (JsonNode v : vms) {
                t.row(text(v, "vmId"), text(v, "hostId"), text(v, "state"), v.path("memoryMiB").asLong() + " MiB",
                        text(v, "vcpus"), text(v, "hostLiveness"));
            }
            t.print(System.out);
            return 0;
        }
    }

    @Command(name = "migrate", sortOptions = false, mixinStandardHelpOptions = true,
            description = "Ask the coordinator to live-migrate a VM to a host, under a policy file or policy flags.")
    static final class Migrate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "VM", description = "The VM to migrate.") String vmId;
        @Option(names = "--to", required = true, paramLabel = "HOST", description = "The destination host.") String to;
        @Option(names = "--policy", paramLabel = "FILE", description = "The policy as JSON, or YAML (.yaml/.yml): MigrationPolicy's fields and the ladder's (downtimeSteps, completionTimeoutPerGiB, stallTimeout), e.g. {\"downtimeLimitMs\": 500}.")
        Path policyFile;
        @Option(names = "--watch", description = "Print a progress line per change until the migration ends; exit 0 only if it completed.")
        boolean watch;
        @Option(names = "--watch-interval", paramLabel = "MS", defaultValue = "500", description = "How often --watch asks (default: ${DEFAULT-VALUE}).")
        long watchIntervalMs;
        @Option(names = "--json", description = "Print the API's JSON.") boolean json;
        @Mixin ApiOptions api;
        @Mixin PolicyOptions policy;
        @Mixin LadderOptions ladder;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("vmId", vmId);
            body.put("to", to);
            body.set("policy", policyJson());
            ApiClient client = api.client();
            JsonNode created = client.post("/api/migrations", body);
            String id = created.path("migrationId").asText();
            if (json) {
                printJson(System.out, created);
            } else {
                System.out.println("migration " + id + ": " + vmId + " from " + text(created, "sourceHost") + " to "
                        + text(created, "destinationHost") + " (" + text(created, "phase") + ")");
            }
            return watch ? Watch.follow(client, id, watchIntervalMs, json, System.out) : 0;
        }

        /** The policy file's settings, or the flags' policy; both at once is a usage error. */
        private JsonNode policyJson() throws IOException {
            Set<OptionSpec> policyOptions = new java.util.HashSet<>(spec.mixins().get("policy").options());
            policyOptions.addAll(spec.mixins().get("ladder").options());
            Set<String> flags = spec.commandLine().getParseResult().matchedOptions().stream()
                    .filter(policyOptions::contains).map(OptionSpec::longestName).collect(Collectors.toCollection(java.util.TreeSet::new));
            if (policyFile == null) {
                return ladder.addTo(Json.mapper().valueToTree(policy.toPolicy()));
            }
            if (!flags.isEmpty()) {
                throw new IllegalArgumentException("--policy cannot be combined with policy flags (" + String.join(", ", flags) + ")");
            }
            if (!Files.isRegularFile(policyFile)) {
                throw new IllegalArgumentException("--policy: " + policyFile + " is not a file");
            }
            String name = policyFile.getFileName().toString().toLowerCase();
            ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : Json.mapper();
            JsonNode n;
            try {
                n = m.readTree(policyFile.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("--policy: " + policyFile + " cannot be parsed: " + e.getMessage());
            }
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("--policy: " + policyFile + " must hold an object of policy settings");
            }
            return n;
        }
    }

    /** Follows a migration until it ends: a line whenever its phase or progress changes. */
    static final class Watch {
        private Watch() {
        }

        static int follow(ApiClient client, String id, long intervalMs, boolean json, PrintStream out) throws InterruptedException {
            String last = null;
            while (true) {
                JsonNode m = client.get("/api/migrations/" + id);
                String line = progressLine(m);
                if (!Objects.equals(line, last)) {
                    if (json) {
                        printJson(out, m);
                    } else {
                        out.println(line);
                    }
                    out.flush();
                    last = line;
                }
                String phase = m.path("phase").asText();
                if (phase.equals("COMPLETED") || phase.equals("FAILED") || phase.equals("CANCELLED")) {
                    return phase.equals("COMPLETED") ? 0 : 1;
                }
                Thread.sleep(intervalMs);
            }
        }

        static String progressLine(JsonNode m) {
            StringBuilder b = new StringBuilder(m.path("migrationId").asText()).append("  ").append(m.path("phase").asText());
            JsonNode p = m.get("progress");
            if (p != null) {
                b.append("  pass ").append(p.path("pass").asLong());
                if (p.has("remaining")) {
                    b.append("  remaining ").append(Sizes.bytes(p.get("remaining").asLong()));
                }
                if (p.has("transferRate")) {
                    b.append("  rate ").append(Sizes.rate(p.get("transferRate").asDouble()));
                }
                if (p.has("expectedDowntimeMs")) {
                    b.append("  expected downtime ").append(p.get("expectedDowntimeMs").asLong()).append(" ms");
                }
            }
            String reason = text(m, "reason");
            if (reason != null) {
                b.append("  (").append(reason).append(')');
            }
            return b.toString();
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a migration (refused once in post-copy or after switchover).")
    static final class Cancel implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MIGRATION") String migrationId;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the journal (default: cancelled through the API).") String reason;
        @Option(names = "--json", description = "Print the API's JSON.") boolean json;
        @Mixin ApiOptions api;

        @Override
        public Integer call() {
            ObjectNode body = Json.mapper().createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode s = api.client().post("/api/migrations/" + migrationId + "/cancel", body);
            if (json) {
                printJson(System.out, s);
            } else {
                System.out.println("migration " + migrationId + ": " + text(s, "phase"));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a migration: its summary and every event with its time, phase and reason.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MIGRATION") String migrationId;
        @Option(names = "--json", description = "Print the API's JSON: the summary, then the events.") boolean json;
        @Mixin ApiOptions api;

        @Override
        public Integer call() {
            ApiClient client = api.client();
            JsonNode m = client.get("/api/migrations/" + migrationId);
            JsonNode events = client.get("/api/migrations/" + migrationId + "/events");
            if (json) {
                printJson(System.out, m);
                printJson(System.out, events);
                return 0;
            }
            System.out.println("migration " + migrationId + ": " + text(m, "vmId") + " from " + text(m, "sourceHost") + " to "
                    + text(m, "destinationHost") + ", " + text(m, "phase") + (text(m, "reason") == null ? "" : " (" + text(m, "reason") + ")"));
            Table t = new Table("TIME", "EVENT", "PHASE", "REASON");
            for (JsonNode e : events) {
                String from = text(e, "oldPhase");
                String toPhase = text(e, "newPhase");
                String phase = from == null || from.equals(toPhase) ? toPhase : from + " -> " + toPhase;
                t.row(text(e, "time"), text(e, "type"), phase, text(e, "reason"));
            }
            t.print(System.out);
            return 0;
        }
    }
}
