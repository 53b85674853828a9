package io.drover.agent.qmp;

import static io.drover.agent.qmp.QmpAssertions.SOON;
import static io.drover.agent.qmp.QmpAssertions.failureOf;
import static io.drover.agent.qmp.QmpAssertions.names;
import static io.drover.agent.qmp.QmpAssertions.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.qmp.QemuUnderTest.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The QMP client against a real QEMU 7.2 started by each test. */
class QmpClientTest {
    /** Long enough for a loaded host; only a broken QEMU needs it all. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** Clients and QEMUs to close after the test, newest first. */
    private final List<AutoCloseable> toClose = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private QemuUnderTest startQemu(Transport transport) throws IOException {
        return closeLater(QemuUnderTest.start(transport, dir));
    }

    private QmpClient connect(QemuUnderTest qemu) {
        return closeLater(qemu.connect());
    }

    /** Connects without retrying, as an agent re-attaching to a running QEMU does. */
    private QmpClient attach(QemuUnderTest qemu) {
        return closeLater(QmpClient.connect(qemu.endpoint(), CONNECT_TIMEOUT));
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static ObjectNode object() {
        return QmpJson.MAPPER.createObjectNode();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void readsTheGreetingAndNegotiatesWithoutEnablingOob(Transport transport) throws IOException {
        QmpClient client = connect(startQemu(transport));

        JsonNode greeting = client.greeting();
        assertEquals(7, greeting.at("/version/qemu/major").asInt());
        assertEquals(2, greeting.at("/version/qemu/minor").asInt());
        assertTrue(greeting.at("/version/package").isTextual());
        assertEquals("[\"oob\"]", greeting.get("capabilities").toString(), "QEMU 7.2 offers oob on socket monitors");
        assertEquals(Set.of(), client.enabledCapabilities());
        assertTrue(client.isConnected());
        // Before negotiation QEMU answers every command with CommandNotFound; now it runs them.
        JsonNode status = client.execute("query-status");
        assertEquals("prelaunch", status.get("status").asText());
        assertFalse(status.get("running").asBoolean());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void queryVersionMatchesTheGreeting(Transport transport) throws IOException {
        QmpClient client = connect(startQemu(transport));

        JsonNode version = client.execute("query-version");

        assertEquals(client.greeting().get("version"), version);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void routesConcurrentRepliesToTheirCallers(Transport transport) throws Exception {
        QmpClient client = connect(startQemu(transport));
        List<String> options = new ArrayList<>();
        client.execute("query-command-line-options").forEach(o -> options.add(o.get("option").asText()));
        assertTrue(options.size() > 10, "QEMU lists its command-line options: " + options);
        int calls = 200;
        int threads = 32;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int call = i;
                results.add(pool.submit(() -> {
                    start.await();
                    switch (call % 3) {
                        case 0 -> assertEquals("prelaunch", client.execute("query-status").get("status").asText());
                        case 1 -> assertEquals(QemuUnderTest.VM_NAME, client.execute("query-name").get("name").asText());
                        default -> {
                            // The reply names the option asked for, so a misrouted reply shows.
                            String option = options.get(call % options.size());
                            JsonNode reply = client.execute("query-command-line-options", object().put("option", option));
                            assertEquals(option, reply.get(0).get("option").asText());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(SOON.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, client.droppedReplies());
    }

    @Test
    void routesManyAsyncCommandsFromOneThread() throws IOException {
        QmpClient client = connect(startQemu(Transport.UNIX));
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(client.executeAsync(i % 2 == 0 ? "query-status" : "query-name", null, SOON));
        }
        for (int i = 0; i < replies.size(); i++) {
            JsonNode reply = replies.get(i).join();
            assertTrue(reply.has(i % 2 == 0 ? "status" : "name"), "reply " + i + ": " + reply);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void deliversEventsInOrderToFilteredSubscriptions(Transport transport) throws IOException {
        QmpClient client = connect(startQemu(transport));
        BlockingQueue<QmpEvent> listened = new LinkedBlockingQueue<>();
        Instant before = Instant.now().minusSeconds(1);
        try (QmpEventQueue runState = client.events(QmpEvent.named("STOP", "RESUME"));
             QmpEventQueue resumes = client.events(QmpEvent.named("RESUME"))) {
            closeLater(client.subscribe(event -> event.name().equals("STOP"), listened::add));

            client.execute("cont");
            client.execute("stop");
            client.execute("cont");

            List<QmpEvent> events = next(runState, 3);
            assertEquals(List.of("RESUME", "STOP", "RESUME"), names(events));
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i).sequence() > events.get(i - 1).sequence(), "sequence grows: " + events);
                assertFalse(events.get(i).timestamp().isBefore(events.get(i - 1).timestamp()), "time grows: " + events);
            }
            assertTrue(events.get(0).timestamp().isAfter(before), "QEMU's timestamp is now-ish: " + events.get(0));
            assertTrue(events.get(1).data().isObject() && events.get(1).data().isEmpty(), "STOP has no data");

            assertEquals(List.of("RESUME", "RESUME"), names(next(resumes, 2)));
            assertNull(resumes.poll(Duration.ofMillis(200)), "the RESUME-only queue sees nothing else");

            assertEquals(events.get(1), listened.poll(SOON.toMillis(), TimeUnit.MILLISECONDS));
            assertNull(listened.poll(200, TimeUnit.MILLISECONDS), "the STOP-only listener sees nothing else");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void queuesAnEventBeforeTheReplyThatFollowsIt() throws IOException {
        QmpClient client = connect(startQemu(Transport.UNIX));
        try (QmpEventQueue resumes = client.events(QmpEvent.named("RESUME"))) {
            client.execute("cont");
            // QEMU sends RESUME before cont's reply, and the reader queues it before completing the reply.
            assertEquals(List.of("RESUME"), names(resumes.drain()));
        }
    }

    @Test
    void aReaderFedSinkSeesEachEventBeforeTheReplyThatFollowsIt() throws Exception {
        QmpClient client = connect(startQemu(Transport.UNIX)); // starts paused
        BlockingQueue<String> order = new LinkedBlockingQueue<>();
        client.subscribeOnReader(QmpEvent.named("STOP", "RESUME"), e -> order.add(e.name()));
        client.subscribeOnReader(e -> {
            throw new IllegalStateException("filter bug");
        }, e -> order.add("never"));
        int commands = 20;
        for (int i = 0; i < commands; i++) {
            // The engine's shape: events and replies meet on one queue, each reply added from its
            // future's callback thread. QEMU sends RESUME before cont's reply, STOP before stop's.
            int n = i;
            client.executeAsync(i % 2 == 0 ? "cont" : "stop", null, SOON).thenAccept(reply -> order.add("reply " + n));
        }
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2 * commands; i++) {
            String next = order.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(next, "only " + seen + " arrived");
            seen.add(next);
        }
        List<Integer> eventAt = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            if (!seen.get(i).startsWith("reply")) eventAt.add(i);
        }
        assertEquals(commands, eventAt.size(), seen.toString());
        for (int i = 0; i < commands; i++) {
            assertEquals(i % 2 == 0 ? "RESUME" : "STOP", seen.get(eventAt.get(i)), seen.toString());
            assertTrue(eventAt.get(i) < seen.indexOf("reply " + i), "event " + i + " before its reply: " + seen);
        }
    }

    @Test
    void slowAndThrowingListenersDoNotHoldUpOthers() throws Exception {
        QmpClient client = connect(startQemu(Transport.UNIX));
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<QmpEvent> slow = new LinkedBlockingQueue<>();
        BlockingQueue<QmpEvent> fast = new LinkedBlockingQueue<>();
        client.subscribe(event -> true, event -> {
            throw new IllegalStateException("listener bug");
        });
        client.subscribe(event -> {
            throw new IllegalStateException("filter bug");
        }, event -> {
        });
        client.subscribe(QmpEvent.named("STOP", "RESUME"), event -> {
            awaitQuietly(release);
            slow.add(event);
        });
        client.subscribe(QmpEvent.named("STOP", "RESUME"), fast::add);

        client.execute("cont");
        client.execute("stop");
        client.execute("cont");

        assertEquals(List.of("RESUME", "STOP", "RESUME"), takeNames(fast, 3));
        assertTrue(slow.isEmpty(), "the slow listener is still stuck on its first event");
        assertEquals("running", client.execute("query-status").get("status").asText(), "the reader is not stuck");
        release.countDown();
        assertEquals(List.of("RESUME", "STOP", "RESUME"), takeNames(slow, 3));
    }

    @Test
    void completesRepliesOffTheReaderThread() throws Exception {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient client = connect(qemu);
        CountDownLatch release = new CountDownLatch(1);
        qemu.freeze(); // so that the reply cannot arrive before the blocking stage is chained on
        CompletableFuture<Void> blocked;
        try {
            blocked = client.executeAsync("query-status", null, SOON).thenAccept(reply -> awaitQuietly(release));
        } finally {
            qemu.thaw();
        }
        // The stage above now blocks the thread that completed its future; the reader must not be it.
        assertEquals(QemuUnderTest.VM_NAME, client.execute("query-name", null, SOON).get("name").asText());
        release.countDown();
        blocked.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void anErrorReplyKeepsCommandArgumentsAndErrorClass() throws IOException {
        QmpClient client = connect(startQemu(Transport.UNIX));

        QmpExecuteException notFound = assertThrows(QmpExecuteException.class, () -> client.execute("bogus-command"));
        assertEquals("bogus-command", notFound.command());
        assertNull(notFound.arguments());
        assertEquals("CommandNotFound", notFound.errorClass());
        assertEquals("The command bogus-command has not been found", notFound.description());
        assertEquals("bogus-command failed: CommandNotFound: The command bogus-command has not been found",
                notFound.getMessage());

        ObjectNode badUri = object().put("uri", "bogus:xyz");
        QmpExecuteException badMigrate = failureOf(client.executeAsync("migrate", badUri, SOON), QmpExecuteException.class);
        badUri.put("uri", "changed by the caller afterwards");
        assertEquals("migrate", badMigrate.command());
        assertEquals(object().put("uri", "bogus:xyz"), badMigrate.arguments());
        assertEquals("GenericError", badMigrate.errorClass());
        assertTrue(badMigrate.description().contains("uri"), badMigrate.description());
        assertTrue(badMigrate.response().get("id").asText().startsWith("drover-"), badMigrate.response().toString());

        assertTrue(client.isConnected());
        assertEquals("prelaunch", client.execute("query-status").get("status").asText());
    }

    @Test
    void aTimedOutCommandLeavesTheConnectionUsable() throws IOException {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient client = connect(qemu);
        Duration timeout = Duration.ofMillis(500);
        qemu.freeze();
        try {
            long start = System.nanoTime();
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class,
                    () -> client.execute("query-status", null, timeout));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= timeout.toMillis() && waited < SOON.toMillis(), "waited " + waited + " ms");
            assertEquals("query-status", e.command());
            assertEquals(timeout, e.timeout());
            assertTrue(client.isConnected());
        } finally {
            qemu.thaw();
        }
        assertEquals("prelaunch", client.execute("query-status").get("status").asText());
        // QEMU answers in order, so the timed-out command's late reply came first, and was dropped.
        assertEquals(1, client.droppedReplies());
    }

    @Test
    void killingQemuFailsEveryPendingCallAndReportsTheDisconnect() throws Exception {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient client = connect(qemu);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        AtomicBoolean callsFailedFirst = new AtomicBoolean();
        client.onDisconnect(cause -> {
            callsFailedFirst.set(calls.stream().allMatch(CompletableFuture::isCompletedExceptionally));
            disconnected.complete(cause);
        });
        qemu.freeze();
        for (int i = 0; i < 20; i++) {
            calls.add(client.executeAsync(i % 2 == 0 ? "query-status" : "query-name", null, Duration.ofMinutes(1)));
        }
        CompletableFuture<JsonNode> blockingCaller = CompletableFuture.supplyAsync(() -> client.execute("query-version"));
        QemuUnderTest.sleep(200);
        assertTrue(calls.stream().noneMatch(CompletableFuture::isDone), "QEMU is frozen: no replies");

        qemu.killHard();

        for (CompletableFuture<JsonNode> call : calls) {
            failureOf(call, QmpDisconnectedException.class);
        }
        failureOf(blockingCaller, QmpDisconnectedException.class);
        Throwable cause = disconnected.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(cause instanceof QmpDisconnectedException, "onDisconnect got " + cause);
        assertTrue(callsFailedFirst.get(), "pending calls fail before onDisconnect callbacks run");
        assertFalse(client.isConnected());
        assertThrows(QmpDisconnectedException.class, () -> client.execute("query-status"));
        AtomicReference<Throwable> late = new AtomicReference<>();
        client.onDisconnect(late::set);
        assertEquals(cause, late.get(), "a callback registered after the loss runs at once");
    }

    @Test
    void quitEndsTheConnectionLikeADisconnect() throws Exception {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient client = connect(qemu);
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        client.onDisconnect(disconnected::complete);
        try (QmpEventQueue shutdown = client.events(QmpEvent.named("SHUTDOWN"))) {

            assertEquals(object(), client.execute("quit"), "QEMU 7.2 replies to quit before it exits");

            assertEquals("host-qmp-quit", next(shutdown).data().get("reason").asText());
        }
        // QEMU 7.2 leaves a unix socket with a reset (ECONNRESET) rather than a clean EOF.
        Throwable cause = disconnected.get(SOON.toMillis(), TimeUnit.MILLISECONDS).getCause();
        assertInstanceOf(IOException.class, cause);
        assertFalse(client.isConnected());
    }

    @Test
    void closeFailsPendingCallsWithoutCallingOnDisconnect() throws IOException {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient client = connect(qemu);
        AtomicBoolean callbackRan = new AtomicBoolean();
        client.onDisconnect(cause -> callbackRan.set(true));
        qemu.freeze();
        CompletableFuture<JsonNode> pending;
        try {
            pending = client.executeAsync("query-status", null, Duration.ofMinutes(1));
            client.close();
        } finally {
            qemu.thaw();
        }
        QmpDisconnectedException e = failureOf(pending, QmpDisconnectedException.class);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(callbackRan.get());
        assertFalse(client.isConnected());
        client.close(); // twice is harmless

        // QEMU answers the command the closed client left in flight into the void, then serves the next client.
        assertEquals("prelaunch", attach(qemu).execute("query-status").get("status").asText());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void reattachesToARunningQemuAfterClose(Transport transport) throws IOException {
        QemuUnderTest qemu = startQemu(transport);
        QmpClient first = connect(qemu);
        first.execute("cont");
        first.close();

        QmpClient second = attach(qemu);

        assertEquals("running", second.execute("query-status").get("status").asText());
        try (QmpEventQueue stops = second.events(QmpEvent.named("STOP"))) {
            second.execute("stop");
            QmpEvent stop = next(stops);
            assertEquals(1, stop.sequence(), "event sequence numbers are per connection");
        }
    }

    @Test
    void aSecondClientIsServedOnlyOnceTheFirstDetaches() throws Exception {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient first = connect(qemu);

        QmpConnectException refused = assertThrows(QmpConnectException.class,
                () -> QmpClient.connect(qemu.endpoint(), Duration.ofMillis(500)));
        assertTrue(refused.getMessage().contains("greeting"), refused.getMessage());

        CompletableFuture<QmpClient> second = CompletableFuture.supplyAsync(() -> attach(qemu));
        QemuUnderTest.sleep(300);
        assertFalse(second.isDone(), "QEMU does not greet a second client while the first is attached");
        first.close();
        QmpClient attached = second.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("prelaunch", attached.execute("query-status").get("status").asText());
        assertFalse(first.isConnected());
    }

    @Test
    void reattachesWhileQemuKeepsMigrating() throws Exception {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        try (StalledDestination destination = new StalledDestination()) {
            QmpClient first = connect(qemu);
            first.execute("migrate-set-capabilities", QmpJson.MAPPER.readTree(
                    "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}"));
            first.execute("migrate-set-parameters", object().put("max-bandwidth", 8192));
            long transferredBefore;
            try (QmpEventQueue migration = first.events(QmpEvent.named("MIGRATION"))) {
                first.execute("migrate", object().put("uri", destination.uri()));
                assertEquals("setup", next(migration).data().get("status").asText());
                assertEquals("active", next(migration).data().get("status").asText());
                transferredBefore = first.execute("query-migrate").at("/ram/transferred").asLong();
                first.close(); // the agent goes away; QEMU keeps migrating

                QemuUnderTest.sleep(1500);
                QmpClient second = attach(qemu);

                JsonNode status = second.execute("query-migrate");
                assertEquals("active", status.get("status").asText());
                assertTrue(status.at("/ram/transferred").asLong() > transferredBefore,
                        "migration progressed while no client was attached: " + status);
                try (QmpEventQueue cancel = second.events(QmpEvent.named("MIGRATION"))) {
                    second.execute("migrate_cancel");
                    assertEquals("cancelling", next(cancel).data().get("status").asText());
                    assertEquals("cancelled", next(cancel).data().get("status").asText());
                }
                assertEquals("cancelled", second.execute("query-migrate").get("status").asText());
            }
        }
    }

    @Test
    void outOfBandExecutionIsOptIn() throws IOException {
        QemuUnderTest qemu = startQemu(Transport.UNIX);
        QmpClient plain = connect(qemu);
        assertThrows(IllegalStateException.class, () -> plain.executeOobAsync("migrate-pause", null, SOON));
        plain.close();

        QmpClient oob = closeLater(QmpClient.connect(qemu.endpoint(), CONNECT_TIMEOUT, Set.of(QmpCapability.OOB)));

        assertEquals(Set.of(QmpCapability.OOB), oob.enabledCapabilities());
        QmpExecuteException notPostcopy = failureOf(oob.executeOobAsync("migrate-pause", null, SOON),
                QmpExecuteException.class);
        assertEquals("GenericError", notPostcopy.errorClass());
        assertTrue(notPostcopy.description().contains("postcopy-active"), notPostcopy.description());
        QmpExecuteException notOobCapable = failureOf(oob.executeOobAsync("query-status", null, SOON),
                QmpExecuteException.class);
        assertEquals("The command query-status does not support OOB", notOobCapable.description());
        assertEquals("prelaunch", oob.execute("query-status").get("status").asText(), "in-band still works");
    }

    @Test
    void connectingToNothingFailsWithAConnectException() {
        QmpEndpoint nowhere = new QmpEndpoint.Unix(dir.resolve("no-such.sock"));
        QmpConnectException e = assertThrows(QmpConnectException.class,
                () -> QmpClient.connect(nowhere, CONNECT_TIMEOUT));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
        assertNotNull(e.getCause());
    }

    /**
     * A migration destination that accepts the stream but never reads it. With a bandwidth cap
     * the migration then stays active for minutes instead of fitting into socket buffers at once.
     */
    private static final class StalledDestination implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(this::accept);

        StalledDestination() throws IOException {
        }

        String uri() {
            return "tcp:127.0.0.1:" + server.getLocalPort();
        }

        private Socket accept() {
            try {
                return server.accept();
            } catch (IOException e) {
                return null; // closed before QEMU connected
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            Socket stream = accepted.join();
            if (stream != null) {
                stream.close();
            }
        }
    }

    private static List<String> takeNames(BlockingQueue<QmpEvent> queue, int count) throws InterruptedException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            QmpEvent event = queue.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(event, "event " + (i + 1) + " of " + count + " did not arrive; got " + names);
            names.add(event.name());
        }
        return names;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
