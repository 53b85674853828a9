package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.dialect.LegacyTranslator;
import io.drover.agent.dialect.QemuDialect;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.QmpEndpoint;
import io.drover.events.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code drover qmp}: one command, in the 2017 migration vocabulary or today's, against one QEMU,
 * through the dialect layer (so {@code migrate_set_downtime 0.5} works on QEMU 7.2), or the
 * dialect itself with {@code --dialect}.
 */
@Command(name = "qmp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a QMP command on a QEMU through Drover's dialect layer (2017 names are translated).",
                "Example: drover qmp --socket DIR/qmp.sock migrate_set_downtime '{\"value\": 0.5}'"})
final class QmpCommand implements Callable<Integer> {
    /** A QEMU answers in milliseconds; one that says nothing for 10 s is wedged or serving another client. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--socket", required = true, paramLabel = "ENDPOINT",
            description = "The QEMU's QMP endpoint: a unix socket path, unix:/PATH or tcp:HOST:PORT.")
    String socket;

    @Option(names = "--dialect", description = "Print what this QEMU speaks (version, commands, capabilities, parameters).")
    boolean dialect;

    @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", description = "e.g. query-migrate, migrate_set_speed.")
    String command;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ARGUMENTS", description = "The arguments as a JSON object.")
    String arguments;

    @Override
    public Integer call() throws Exception {
        if (!dialect && command == null) {
            throw new IllegalArgumentException("name a COMMAND, or ask for --dialect");
        }
        JsonNode args = null;
        if (arguments != null) {
            try {
                args = Json.mapper().readTree(arguments);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("ARGUMENTS is not JSON: " + e.getOriginalMessage());
            }
            if (!args.isObject()) {
                throw new IllegalArgumentException("ARGUMENTS must be a JSON object, got " + args.getNodeType());
            }
        }
        QmpEndpoint endpoint = socket.startsWith("unix:") || socket.startsWith("tcp:")
                ? QmpEndpoint.parse(socket) : new QmpEndpoint.Unix(java.nio.file.Path.of(socket));
        try (QmpClient qmp = QmpClient.connect(endpoint, CONNECT_TIMEOUT)) {
            QemuDialect d = QemuDialect.learn(qmp);
            if (dialect) {
                var out = Json.mapper().createObjectNode();
                out.put("version", d.version().toString());
                out.put("fromSchema", d.fromSchema());
                out.set("capabilities", Json.mapper().valueToTree(d.capabilities()));
                out.set("parameters", Json.mapper().valueToTree(d.parameters()));
                out.set("commands", Json.mapper().valueToTree(d.commands()));
                System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
            }
            if (command != null) {
                JsonNode reply = new LegacyTranslator(qmp, d).execute(command, args);
                System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(reply));
            }
        }
        return 0;
    }
}
