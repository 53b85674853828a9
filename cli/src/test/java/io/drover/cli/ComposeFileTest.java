package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drover.coordinator.EnvVars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Docker does not run here, so compose.yaml is checked against the code: its services, that the coordinator's
 * and agents' command lines parse with the real commands, that every DROVER_* variable is one the code reads,
 * and that the published ports are the code's defaults.
 */
class ComposeFileTest {
    static JsonNode compose;
    static JsonNode services;

    @BeforeAll
    static void parse() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("compose.yaml"))) {
            root = root.getParent();
            assertNotNull(root, "compose.yaml not found above the working directory");
        }
        compose = new ObjectMapper(new YAMLFactory()).readTree(root.resolve("compose.yaml").toFile());
        services = compose.get("services");
        assertTrue(Files.exists(root.resolve("Dockerfile")), "the services are built from the Dockerfile at the root");
    }

    static List<String> command(String service) {
        List<String> out = new ArrayList<>();
        services.get(service).get("command").forEach(n -> out.add(n.asText()));
        return out;
    }

    static Map<String, String> environment(String service) {
        Map<String, String> env = new java.util.TreeMap<>();
        JsonNode e = services.get(service).get("environment");
        if (e != null) {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
        }
        return env;
    }

    /** The container ports published on the same host port, as "host:container". */
    static List<String> ports(String service) {
        List<String> out = new ArrayList<>();
        JsonNode p = services.get(service).get("ports");
        if (p != null) {
            p.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    @Test
    void theServicesAreThere() {
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("kafka", "postgres", "coordinator", "agent1", "agent2"), names);
        assertTrue(services.get("kafka").get("image").asText().startsWith("apache/kafka:"));
        assertTrue(environment("kafka").get("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft: the broker is its own controller");
        assertEquals("postgres:15", services.get("postgres").get("image").asText());
        for (String s : List.of("coordinator", "agent1", "agent2")) {
            assertEquals(".", services.get(s).get("build").asText(), s + " is built from the Dockerfile at the root");
        }
        for (String a : List.of("agent1", "agent2")) {
            assertEquals("/dev/kvm:/dev/kvm", services.get(a).get("devices").get(0).asText());
        }
    }

    @Test
    void theCommandLinesParseWithTheRealCommands() {
        CommandLine.ParseResult c = Drover.commandLine().parseArgs(command("coordinator").toArray(String[]::new));
        assertEquals("coordinator", c.subcommand().commandSpec().name());
        for (String a : List.of("agent1", "agent2")) {
            CommandLine.ParseResult r = Drover.commandLine().parseArgs(command(a).toArray(String[]::new));
            CommandLine.ParseResult agent = r.subcommand();
            assertEquals("agent", agent.commandSpec().name());
            assertEquals(a, agent.matchedOptionValue("--host-id", null), "each agent's host id is its service name");
            String kafka = agent.matchedOptionValue("--kafka", null);
            assertTrue(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").contains("//" + kafka),
                    "the agents reach Kafka on a listener it advertises: " + kafka);
        }
        assertEquals(environment("coordinator").get(EnvVars.KAFKA), command("agent1").get(command("agent1").indexOf("--kafka") + 1),
                "the coordinator and the agents use the same Kafka listener");
    }

    @Test
    void everyDroverVariableIsOneTheCodeReads() throws Exception {
        Set<String> seen = new TreeSet<>();
        services.fields().forEachRemaining(s -> environment(s.getKey()).keySet().stream()
                .filter(k -> k.startsWith("DROVER_")).forEach(seen::add));
        assertFalse(seen.isEmpty());
        for (String v : seen) {
            assertTrue(EnvVars.ALL.contains(v), v + " in compose.yaml is read by no code (known: " + EnvVars.ALL + ")");
        }
        for (String v : environment("coordinator").keySet()) {
            assertTrue(EnvVars.COORDINATOR.contains(v), v + " is not read by the coordinator");
        }
        // And the coordinator's configuration reads each of them.
        String conf;
        try (InputStream in = io.drover.coordinator.Coordinator.class.getResourceAsStream("/application.conf")) {
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String v : EnvVars.COORDINATOR) {
            assertTrue(conf.contains("${?" + v + "}"), "application.conf does not read " + v);
        }
        assertTrue(environment("coordinator").get(EnvVars.DB_URL).startsWith("jdbc:postgresql://postgres:5432/"));
        assertEquals(environment("postgres").get("POSTGRES_PASSWORD"), environment("coordinator").get(EnvVars.DB_PASSWORD));
    }

    @Test
    void thePublishedPortsAreTheCodesDefaults() {
        assertEquals(List.of(EnvVars.DEFAULT_HTTP_PORT + ":" + EnvVars.DEFAULT_HTTP_PORT), ports("coordinator"));
        assertEquals(URI.create(EnvVars.DEFAULT_API).getPort(), EnvVars.DEFAULT_HTTP_PORT, "the client's default API is the published port");
        CommandLine.ParseResult c = Drover.commandLine().parseArgs(command("coordinator").toArray(String[]::new));
        Integer port = c.subcommand().matchedOptionValue("--http-port", null);
        assertTrue(port == null || port == EnvVars.DEFAULT_HTTP_PORT, "--http-port " + port);

        Matcher pg = Pattern.compile("//[^:/]+:(\\d+)/").matcher(AuditCommand.DEFAULT_DB_URL);
        assertTrue(pg.find());
        assertEquals(List.of(pg.group(1) + ":5432"), ports("postgres"));

        String kafkaDefault = Drover.commandLine().getSubcommands().get("kafka").getCommandSpec().findOption("--port").defaultValue();
        assertEquals(List.of(kafkaDefault + ":" + kafkaDefault), ports("kafka"));
        assertTrue(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").contains("localhost:" + kafkaDefault),
                "the published port is advertised for clients on the Docker host");
    }
}
