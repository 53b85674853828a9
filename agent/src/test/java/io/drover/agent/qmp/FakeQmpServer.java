package io.drover.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A scripted stand-in for QEMU's monitor, only for protocol edge cases real QEMU never produces
 * (malformed JSON, odd framing, bad greetings). The test plays the server's side by hand.
 */
final class FakeQmpServer implements AutoCloseable {
    /** The greeting real QEMU 7.2 sends, captured from {@code -qmp unix:...}. */
    static final String QEMU_7_2_GREETING = resource("/qmp/greeting-7.2.json");

    private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

    FakeQmpServer() throws IOException {
    }

    QmpEndpoint endpoint() {
        return new QmpEndpoint.Tcp("127.0.0.1", server.getLocalPort());
    }

    /** Connects a client in the background and plays a normal greeting and negotiation. */
    Connected connectClient() throws IOException {
        CompletableFuture<QmpClient> client = connectInBackground(Set.of());
        Peer peer = accept();
        peer.send(QEMU_7_2_GREETING);
        peer.replyReturn(peer.receive(), "{}");
        return new Connected(client.join(), peer);
    }

    /** Starts {@link QmpClient#connect} on another thread, since it blocks until the handshake ends. */
    CompletableFuture<QmpClient> connectInBackground(Set<QmpCapability> capabilities) {
        return CompletableFuture.supplyAsync(() -> QmpClient.connect(endpoint(), QmpAssertions.SOON, capabilities));
    }

    Peer accept() throws IOException {
        Socket socket = server.accept();
        socket.setSoTimeout((int) QmpAssertions.SOON.toMillis());
        return new Peer(socket);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** A client and the server end of its connection. */
    record Connected(QmpClient client, Peer peer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            peer.close();
        }
    }

    /** The server end of one connection. */
    static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        /** Sends raw text exactly as given: no newline is added. */
        void send(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads the client's next command (the client ends each with a newline). */
        JsonNode receive() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the client closed the connection");
            }
            return QmpJson.MAPPER.readTree(line);
        }

        /** Reads the next command and checks that it is {@code command}. */
        JsonNode receive(String command) throws IOException {
            JsonNode received = receive();
            assertEquals(command, received.path("execute").asText(), received.toString());
            return received;
        }

        void replyReturn(JsonNode command, String returnJson) throws IOException {
            send("{\"return\": " + returnJson + ", \"id\": " + command.get("id") + "}\n");
        }

        /** Pauses between writes so that the client's reads see the pieces separately. */
        void pause() {
            QemuUnderTest.sleep(Duration.ofMillis(50).toMillis());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String resource(String name) {
        try (InputStream in = FakeQmpServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
