package io.drover.agent.qmp;

import static io.drover.agent.qmp.QmpAssertions.SOON;
import static io.drover.agent.qmp.QmpAssertions.failureOf;
import static io.drover.agent.qmp.QmpAssertions.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol edge cases that real QEMU does not produce on demand, against {@link FakeQmpServer}.
 * Everything QEMU can show is tested against QEMU itself in {@link QmpClientTest}.
 */
class QmpProtocolTest {
    private FakeQmpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeQmpServer();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    @Test
    void negotiatesWithoutArgumentsUnlessACapabilityIsRequested() throws IOException {
        CompletableFuture<QmpClient> plain = server.connectInBackground(Set.of());
        try (FakeQmpServer.Peer peer = server.accept()) {
            peer.send(FakeQmpServer.QEMU_7_2_GREETING);
            JsonNode negotiation = peer.receive("qmp_capabilities");
            assertFalse(negotiation.has("arguments"), "oob is offered but not enabled: " + negotiation);
            peer.replyReturn(negotiation, "{}");
            plain.join().close();
        }
        CompletableFuture<QmpClient> oob = server.connectInBackground(Set.of(QmpCapability.OOB));
        try (FakeQmpServer.Peer peer = server.accept()) {
            peer.send(FakeQmpServer.QEMU_7_2_GREETING);
            JsonNode negotiation = peer.receive("qmp_capabilities");
            assertEquals("{\"enable\":[\"oob\"]}", negotiation.get("arguments").toString());
            peer.replyReturn(negotiation, "{}");
            oob.join().close();
        }
    }

    @Test
    void sendsIncreasingDroverIds() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            c.client().executeAsync("query-status", null, SOON);
            c.client().executeAsync("query-name", null, SOON);
            long first = idNumber(c.peer().receive("query-status"));
            long second = idNumber(c.peer().receive("query-name"));
            assertEquals(first + 1, second);
        }
    }

    @Test
    void parsesMessagesSplitAcrossReadsAndJoinedWithoutNewlines() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient();
             QmpEventQueue events = c.client().events(event -> true)) {
            CompletableFuture<JsonNode> status = c.client().executeAsync("query-status", null, SOON);
            CompletableFuture<JsonNode> name = c.client().executeAsync("query-name", null, SOON);
            JsonNode statusCommand = c.peer().receive("query-status");
            JsonNode nameCommand = c.peer().receive("query-name");

            String statusReply = "{\"return\": {\"status\": \"running\"}, \"id\": " + statusCommand.get("id") + "}";
            c.peer().send(statusReply.substring(0, 7));
            c.peer().pause();
            c.peer().send(statusReply.substring(7, 20));
            c.peer().pause();
            c.peer().send(statusReply.substring(20) + "\r\n  {\"event\": \"STOP\", \"timestamp\": "
                    + "{\"seconds\": 1700000000, \"microseconds\": 250}}{\"return\": {\"name\": \"vm\"}, \"id\": "
                    + nameCommand.get("id") + "}");

            assertEquals("running", status.join().get("status").asText());
            assertEquals("vm", name.join().get("name").asText());
            QmpEvent stop = next(events);
            assertEquals("STOP", stop.name());
            assertEquals(Instant.ofEpochSecond(1_700_000_000L, 250_000L), stop.timestamp());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"return\": oops}\n", "[1, 2]\n", "\"just a string\"\n", "}\n"})
    void malformedInputIsAProtocolErrorThatEndsTheConnection(String garbage) throws Exception {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
            c.client().onDisconnect(disconnected::complete);
            CompletableFuture<JsonNode> pending = c.client().executeAsync("query-status", null, SOON);
            c.peer().receive("query-status");

            c.peer().send(garbage);

            QmpDisconnectedException failure = failureOf(pending, QmpDisconnectedException.class);
            assertInstanceOf(QmpProtocolException.class, failure.getCause());
            Throwable reported = disconnected.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
            assertInstanceOf(QmpProtocolException.class, reported.getCause());
            assertFalse(c.client().isConnected());
        }
    }

    @Test
    void aReplyWithNeitherReturnNorErrorFailsOnlyItsCommand() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            CompletableFuture<JsonNode> odd = c.client().executeAsync("query-status", null, SOON);
            c.peer().send("{\"id\": " + c.peer().receive("query-status").get("id") + "}\n");

            QmpProtocolException e = failureOf(odd, QmpProtocolException.class);
            assertTrue(e.getMessage().contains("neither 'return' nor 'error'"), e.getMessage());
            assertTrue(c.client().isConnected());
        }
    }

    @Test
    void ignoresRepliesItCannotRoute() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            CompletableFuture<JsonNode> status = c.client().executeAsync("query-status", null, SOON);
            JsonNode command = c.peer().receive("query-status");
            c.peer().send("{\"return\": {}, \"id\": \"someone-else-1\"}\n"
                    + "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}\n"
                    + "{\"something\": \"new\"}\n");
            c.peer().replyReturn(command, "{\"status\": \"running\"}");

            assertEquals("running", status.join().get("status").asText());
            assertEquals(1, c.client().droppedReplies());
        }
    }

    @Test
    void anEventWithoutDataOrTimestampStillArrives() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient();
             QmpEventQueue events = c.client().events(QmpEvent.named("SHUTDOWN"))) {
            Instant before = Instant.now();
            c.peer().send("{\"event\": \"SHUTDOWN\"}\n");

            QmpEvent event = next(events);
            assertTrue(event.data().isObject() && event.data().isEmpty());
            assertFalse(event.timestamp().isBefore(before), "falls back to the receive time");
            assertEquals(1, event.sequence());
        }
    }

    @Test
    void rejectsABadGreeting() throws IOException {
        CompletableFuture<QmpClient> client = server.connectInBackground(Set.of());
        try (FakeQmpServer.Peer peer = server.accept()) {
            peer.send("{\"hello\": \"I am not QEMU\"}\n");

            QmpConnectException e = failureOf(client, QmpConnectException.class);
            assertTrue(e.getMessage().contains("expected a QMP greeting"), e.getMessage());
        }
    }

    @Test
    void failsToConnectWhenTheServerHangsUpBeforeGreeting() throws IOException {
        CompletableFuture<QmpClient> client = server.connectInBackground(Set.of());
        server.accept().close();

        failureOf(client, QmpConnectException.class);
    }

    @Test
    void failsToConnectWhenNegotiationIsRejected() throws IOException {
        CompletableFuture<QmpClient> client = server.connectInBackground(Set.of());
        try (FakeQmpServer.Peer peer = server.accept()) {
            peer.send(FakeQmpServer.QEMU_7_2_GREETING);
            JsonNode negotiation = peer.receive("qmp_capabilities");
            peer.send("{\"id\": " + negotiation.get("id")
                    + ", \"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n");

            QmpConnectException e = failureOf(client, QmpConnectException.class);
            assertInstanceOf(QmpExecuteException.class, e.getCause());
        }
    }

    @Test
    void failsToConnectWhenARequestedCapabilityIsNotOffered() throws IOException {
        CompletableFuture<QmpClient> client = server.connectInBackground(Set.of(QmpCapability.OOB));
        try (FakeQmpServer.Peer peer = server.accept()) {
            peer.send("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 2}}, \"capabilities\": []}}\n");

            QmpConnectException e = failureOf(client, QmpConnectException.class);
            assertTrue(e.getMessage().contains("'oob'"), e.getMessage());
        }
    }

    @Test
    void rejectsBadCallsBeforeSendingAnything() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            QmpClient client = c.client();
            assertThrows(IllegalArgumentException.class,
                    () -> client.executeAsync("migrate", QmpJson.MAPPER.createArrayNode(), SOON));
            assertThrows(IllegalArgumentException.class, () -> client.executeAsync("query-status", null, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> client.executeAsync(" ", null, SOON));
        }
    }

    @Test
    void cancellingACallForgetsIt() throws IOException {
        try (FakeQmpServer.Connected c = server.connectClient()) {
            CompletableFuture<JsonNode> call = c.client().executeAsync("query-status", null, SOON);
            JsonNode command = c.peer().receive("query-status");
            assertTrue(call.cancel(false));
            c.peer().replyReturn(command, "{}");
            assertEquals("x", roundTrip(c, "query-name", "{\"name\": \"x\"}").get("name").asText());
            assertEquals(1, c.client().droppedReplies(), "the cancelled call's reply was dropped");
            assertTrue(call.isCancelled());
        }
    }

    @Test
    void closedClientRejectsCommandsWithDisconnected() throws IOException {
        FakeQmpServer.Connected c = server.connectClient();
        c.close();
        QmpDisconnectedException e = failureOf(c.client().executeAsync("query-status", null, SOON),
                QmpDisconnectedException.class);
        assertTrue(e.getMessage().contains("not sent"), e.getMessage());
        assertNull(c.client().events(event -> true).poll(Duration.ofMillis(10)));
    }

    /** Sends {@code command}, answers it from the peer, and returns the client's result. */
    private static JsonNode roundTrip(FakeQmpServer.Connected c, String command, String returnJson) throws IOException {
        CompletableFuture<JsonNode> call = c.client().executeAsync(command, null, SOON);
        c.peer().replyReturn(c.peer().receive(command), returnJson);
        return call.join();
    }

    private static long idNumber(JsonNode command) {
        String id = command.get("id").asText();
        assertTrue(id.startsWith("drover-"), id);
        return Long.parseLong(id.substring("drover-".length()));
    }
}
