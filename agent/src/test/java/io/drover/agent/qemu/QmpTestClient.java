package io.drover.agent.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny hand-rolled QMP client for tests (production code uses io.drover.agent.qmp): one command
 * at a time, events skipped. Enclose calls in a JUnit timeout; reads block.
 */
public final class QmpTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private QmpTestClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects, reads the greeting and negotiates capabilities. */
    public static QmpTestClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        QmpTestClient client = new QmpTestClient(channel);
        client.readMessage(); // {"QMP": {...}} greeting
        client.execute("qmp_capabilities");
        return client;
    }

    /** Runs a command without arguments; returns its "return" value. */
    public JsonNode execute(String command) throws IOException {
        return execute(command, Map.of());
    }

    /** Runs a command; returns its "return" value or throws on an "error" answer. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.put("arguments", arguments);
        }
        out.write(JSON.writeValueAsBytes(request));
        out.write('\n');
        out.flush();
        while (true) {
            JsonNode answer = readMessage();
            if (answer.has("return")) {
                return answer.get("return");
            }
            if (answer.has("error")) {
                throw new IOException("QMP " + command + " failed: " + answer.get("error"));
            }
            // an event: skip it
        }
    }

    /** The run state from query-status, e.g. "running", "paused", "inmigrate". */
    public String status() throws IOException {
        return execute("query-status").get("status").asText();
    }

    private JsonNode readMessage() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP connection closed");
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
