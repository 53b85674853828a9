package io.drover.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the QEMU Machine Protocol, modelled on QEMU's Python {@code qemu.qmp} library.
 *
 * <p>{@link #connect} opens the socket, reads QEMU's greeting and negotiates capabilities. After
 * that the client is thread-safe: any number of threads may execute commands at once. Each
 * command carries an id ({@code drover-1}, {@code drover-2}, ...) and a single reader thread
 * routes every reply to its command by that id, and every event to the subscriptions whose
 * filter accepts it. Each command has its own timeout; a reply that arrives after its command
 * timed out is dropped. When the connection ends unexpectedly (EOF, socket error, protocol
 * error, QEMU killed) every pending command fails with {@link QmpDisconnectedException} and the
 * {@link #onDisconnect} callbacks run. The client never reconnects by itself: connect a new one.
 *
 * <p>QEMU serves one QMP client at a time on a {@code -qmp ...,server=on,wait=off} socket; a
 * second client's connection waits in the listen backlog, greeting-less, until the first one
 * closes. So an agent that restarts while QEMU keeps running (and migrating) simply closes its
 * old client and connects a new one to the same socket.
 *
 * <p>Out-of-band execution is not enabled unless asked for with {@link QmpCapability#OOB}.
 */
public final class QmpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QmpClient.class);

    /**
     * Timeout of the {@code execute} overloads without one: 30 s. QMP commands normally answer in
     * milliseconds, but the monitor shares QEMU's main loop, which can stall for seconds on a
     * loaded host (large guest memory, slow storage, migration completion). 30 s rides out such
     * stalls yet still surfaces a wedged QEMU well within an operator's patience.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Smallest time left for negotiation when the greeting used up the connect timeout. */
    private static final Duration MIN_NEGOTIATION_TIME = Duration.ofMillis(1);

    /** Idle callback and writer threads end after this, so a disconnected, unclosed client holds no threads. */
    private static final long IDLE_THREAD_SECONDS = 30;

    private static final String EXECUTE = "execute";
    private static final String EXECUTE_OOB = "exec-oob";

    private final QmpEndpoint endpoint;
    private final QmpChannel channel;
    private final ExecutorService callbacks;
    private final ExecutorService writer;
    private final PendingCommands pending;
    private final EventDispatcher events;
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final DisconnectCallbacks disconnectCallbacks;
    private volatile Set<QmpCapability> enabledCapabilities = Collections.emptySet();
    /** Only the reader thread touches this. */
    private long eventSequence;

    private QmpClient(QmpEndpoint endpoint, QmpChannel channel) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.callbacks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new DaemonThreads("qmp-callback " + endpoint));
        ThreadPoolExecutor writerPool = new ThreadPoolExecutor(1, 1, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DaemonThreads("qmp-writer " + endpoint));
        writerPool.allowCoreThreadTimeOut(true);
        this.writer = writerPool;
        this.pending = new PendingCommands(callbacks);
        this.events = new EventDispatcher(callbacks, endpoint.toString());
        this.disconnectCallbacks = new DisconnectCallbacks(endpoint.toString());
    }

    /** Connects without enabling any optional capability. See {@link #connect(QmpEndpoint, Duration, Set)}. */
    public static QmpClient connect(QmpEndpoint endpoint, Duration connectTimeout) {
        return connect(endpoint, connectTimeout, Set.of());
    }

    /**
     * Connects to the QMP server at {@code endpoint}, reads its greeting and negotiates
     * {@code qmp_capabilities}, enabling exactly {@code capabilities}.
     *
     * @param connectTimeout covers the socket connect, the greeting and the negotiation. While
     *                       another client is attached QEMU sends no greeting, so this is also how
     *                       long to wait for that client to go away.
     * @throws QmpConnectException if any of these steps fails or times out, or QEMU does not
     *                             offer a requested capability
     */
    public static QmpClient connect(QmpEndpoint endpoint, Duration connectTimeout, Set<QmpCapability> capabilities) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(capabilities, "capabilities");
        requirePositive(connectTimeout, "connectTimeout");
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        QmpChannel channel;
        try {
            channel = QmpChannel.open(endpoint, connectTimeout);
        } catch (IOException | RuntimeException e) {
            throw new QmpConnectException("cannot connect to QMP at " + endpoint + ": " + e, e);
        }
        QmpClient client = new QmpClient(endpoint, channel);
        try {
            client.startReader();
            client.handshake(capabilities, deadline);
            log.debug("Connected to QMP at {}: {}", endpoint, QmpJson.quote(client.greeting()));
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The endpoint this client is connected to. */
    public QmpEndpoint endpoint() {
        return endpoint;
    }

    /** The greeting's {@code QMP} object: {@code {"version": {"qemu": {...}, "package": ...}, "capabilities": [...]}}. */
    public JsonNode greeting() {
        return greeting.getNow(null);
    }

    /** The capabilities enabled at negotiation; empty unless requested in {@link #connect(QmpEndpoint, Duration, Set)}. */
    public Set<QmpCapability> enabledCapabilities() {
        return enabledCapabilities;
    }

    /**
     * Sends a command and returns its reply's {@code return} value asynchronously. Never blocks.
     * The future fails with {@link QmpExecuteException} on an error reply,
     * {@link QmpTimeoutException} after {@code timeout}, or {@link QmpDisconnectedException} if
     * the connection ends first. Cancelling the future forgets the command (a command not yet
     * written to the socket is then not sent). The future completes on a callback thread, never
     * on the reader, so work chained onto it cannot stall the connection.
     *
     * @param argumentsOrNull a JSON object, or {@code null} (or a JSON null) for no arguments
     */
    public CompletableFuture<JsonNode> executeAsync(String command, JsonNode argumentsOrNull, Duration timeout) {
        return send(EXECUTE, command, argumentsOrNull, timeout);
    }

    /**
     * Like {@link #executeAsync} but sends the command out-of-band ({@code exec-oob}): QEMU runs it
     * on the monitor's I/O thread, even while in-band commands are queued behind a busy main loop.
     * Only commands QEMU marks oob-capable qualify (QEMU 7.2: {@code migrate-pause},
     * {@code migrate-recover}); others fail with a {@code GenericError}.
     *
     * @throws IllegalStateException if {@link QmpCapability#OOB} was not enabled at connect
     */
    public CompletableFuture<JsonNode> executeOobAsync(String command, JsonNode argumentsOrNull, Duration timeout) {
        if (!enabledCapabilities.contains(QmpCapability.OOB)) {
            throw new IllegalStateException("out-of-band execution of " + command
                    + " needs QmpCapability.OOB, which was not enabled when connecting to " + endpoint);
        }
        return send(EXECUTE_OOB, command, argumentsOrNull, timeout);
    }

    /** Executes a command without arguments, waiting up to {@link #DEFAULT_TIMEOUT}; returns its {@code return} value. */
    public JsonNode execute(String command) {
        return execute(command, null, DEFAULT_TIMEOUT);
    }

    /** Executes a command, waiting up to {@link #DEFAULT_TIMEOUT}; returns its {@code return} value. */
    public JsonNode execute(String command, JsonNode arguments) {
        return execute(command, arguments, DEFAULT_TIMEOUT);
    }

    /**
     * Executes a command and waits for its reply.
     *
     * @param arguments a JSON object, or {@code null} for none
     * @return the reply's {@code return} value
     * @throws QmpExecuteException      if QEMU replied with an error
     * @throws QmpTimeoutException      if no reply came within {@code timeout}
     * @throws QmpDisconnectedException if the connection ended first
     * @throws QmpException             if the waiting thread was interrupted (its flag stays set)
     */
    public JsonNode execute(String command, JsonNode arguments, Duration timeout) {
        return await(executeAsync(command, arguments, timeout), command);
    }

    /**
     * Registers a listener for the events {@code filter} accepts. Listeners run on callback
     * threads, not the reader: each subscription receives its events one at a time, in receive
     * order; a slow listener delays only its own subscription; an exception thrown by a filter
     * or listener is logged and delivery goes on.
     */
    public Subscription subscribe(Predicate<QmpEvent> filter, Consumer<QmpEvent> listener) {
        return events.subscribe(Objects.requireNonNull(filter, "filter"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Registers a sink that the reader thread feeds directly, in receive order, with the events
     * {@code filter} accepts. Unlike {@link #subscribe}, an event QEMU sent before a reply reaches
     * the sink before that reply's future completes, so a caller that puts events and replies on
     * one queue sees them in QEMU's order. The sink runs on the reader, so it must not block (a
     * hand-off to an unbounded queue); an exception it throws is logged and delivery goes on.
     */
    public Subscription subscribeOnReader(Predicate<QmpEvent> filter, Consumer<QmpEvent> sink) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(sink, "sink");
        String where = endpoint.toString();
        return events.add(event -> {
            if (EventDispatcher.safely("filter", where, event, filter)) {
                EventDispatcher.safely("sink", where, event, e -> {
                    sink.accept(e);
                    return true;
                });
            }
        });
    }

    /** Opens a buffered subscription for the events {@code filter} accepts; see {@link QmpEventQueue}. */
    public QmpEventQueue events(Predicate<QmpEvent> filter) {
        return new QmpEventQueue(events, Objects.requireNonNull(filter, "filter"), endpoint.toString());
    }

    /**
     * Registers a callback for the loss of the connection (EOF, socket or protocol error, QEMU
     * gone), not for {@link #close()}. It receives a {@link QmpDisconnectedException} whose cause
     * says what happened (QEMU exiting or killed usually shows as a {@code SocketException}
     * "Connection reset" on a unix socket, not an EOF). It runs once, on the thread that noticed
     * the loss (normally the reader), after every pending command has been failed; or at once, on
     * the calling thread, if the connection is already lost.
     */
    public void onDisconnect(Consumer<Throwable> callback) {
        disconnectCallbacks.add(Objects.requireNonNull(callback, "callback"));
    }

    /** True until the connection is lost or closed. */
    public boolean isConnected() {
        return open.get();
    }

    /**
     * Closes the connection. Pending commands fail with {@link QmpDisconnectedException};
     * {@link #onDisconnect} callbacks do not run. QEMU stays up and accepts the next client.
     * Closing twice is harmless.
     */
    @Override
    public void close() {
        if (terminate(new QmpDisconnectedException("the QMP client for " + endpoint + " was closed"))) {
            log.debug("Closed QMP connection to {}", endpoint);
        }
        callbacks.shutdown();
    }

    /** Replies that matched no pending command, such as late replies to timed-out commands. */
    long droppedReplies() {
        return pending.droppedReplies();
    }

    @Override
    public String toString() {
        return "QmpClient[" + endpoint + (isConnected() ? "" : ", disconnected") + "]";
    }

    // ---- sending ----

    private CompletableFuture<JsonNode> send(String verb, String command, JsonNode argumentsOrNull, Duration timeout) {
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("QMP command name is blank");
        }
        requirePositive(timeout, "timeout");
        JsonNode arguments = checkArguments(command, argumentsOrNull);
        PendingCommands.Pending call = pending.register(command, arguments, timeout);
        byte[] line = QmpJson.encodeCommand(verb, command, arguments, call.id());
        // Checked after registering: terminate() fails what is registered, this catches the rest.
        if (!open.get()) {
            pending.fail(call, notConnected(command));
            return call.future();
        }
        try {
            writer.execute(() -> write(call, line));
        } catch (RejectedExecutionException e) {
            pending.fail(call, notConnected(command));
        }
        return call.future();
    }

    private void write(PendingCommands.Pending call, byte[] line) {
        if (call.future().isDone()) {
            return; // timed out or cancelled while queued: the caller no longer wants it run
        }
        try {
            if (log.isTraceEnabled()) {
                log.trace("{} <- {}", endpoint, QmpJson.quote(line));
            }
            channel.write(line);
        } catch (IOException e) {
            lose(e);
        }
    }

    private static JsonNode checkArguments(String command, JsonNode arguments) {
        if (arguments == null || arguments.isNull() || arguments.isMissingNode()) {
            return null;
        }
        if (!arguments.isObject()) {
            throw new IllegalArgumentException("arguments of " + command + " must be a JSON object, not "
                    + arguments.getNodeType());
        }
        return arguments.deepCopy(); // the caller may reuse its node; the exception keeps ours
    }

    private QmpDisconnectedException notConnected(String command) {
        return new QmpDisconnectedException(command + " not sent: the QMP connection to " + endpoint
                + " is closed", disconnectCallbacks.cause());
    }

    // ---- receiving ----

    private void startReader() {
        Thread reader = new DaemonThreads("qmp-reader " + endpoint).newThread(this::readLoop);
        reader.start();
    }

    private void readLoop() {
        Throwable cause;
        try {
            for (JsonNode message = channel.read(); message != null; message = channel.read()) {
                route(message);
            }
            cause = new EOFException("QEMU closed the QMP connection");
        } catch (IOException | RuntimeException e) {
            cause = e; // includes the AsynchronousCloseException that close() provokes
        }
        lose(cause);
    }

    private void route(JsonNode message) {
        if (log.isTraceEnabled()) {
            log.trace("{} -> {}", endpoint, QmpJson.quote(message));
        }
        if (!greeting.isDone()) {
            acceptGreeting(message);
        } else if (message.has("event")) {
            events.dispatch(QmpEvent.fromMessage(message, ++eventSequence, Instant.now()));
        } else if (message.has("id")) {
            pending.resolve(message);
        } else if (message.has("error")) {
            // QEMU could not parse a command well enough to find its id; that command will time out.
            log.warn("QEMU at {} rejected a command it could not parse: {}", endpoint, QmpJson.quote(message));
        } else {
            log.warn("Ignoring unexpected QMP message from {}: {}", endpoint, QmpJson.quote(message));
        }
    }

    private void acceptGreeting(JsonNode message) {
        JsonNode qmp = message.get("QMP");
        if (qmp == null || !qmp.isObject() || !qmp.path("version").isObject() || !qmp.path("capabilities").isArray()) {
            throw new QmpProtocolException("expected a QMP greeting {\"QMP\": {\"version\": ..., \"capabilities\": [...]}}"
                    + " from " + endpoint + ", got " + QmpJson.quote(message));
        }
        greeting.complete(qmp);
    }

    // ---- connecting ----

    private void handshake(Set<QmpCapability> requested, long deadline) {
        JsonNode qmp = awaitGreeting(deadline);
        Set<String> offered = new HashSet<>();
        qmp.get("capabilities").forEach(c -> offered.add(c.asText()));
        ObjectNode arguments = null;
        if (!requested.isEmpty()) {
            arguments = QmpJson.MAPPER.createObjectNode();
            for (QmpCapability capability : requested) {
                if (!offered.contains(capability.wireName())) {
                    throw new QmpConnectException("QMP at " + endpoint + " does not offer capability '"
                            + capability.wireName() + "' (it offers " + offered + ")");
                }
                arguments.withArray("enable").add(capability.wireName());
            }
        }
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), MIN_NEGOTIATION_TIME.toNanos()));
        try {
            execute("qmp_capabilities", arguments, left);
        } catch (QmpException e) {
            throw new QmpConnectException("QMP capabilities negotiation with " + endpoint + " failed: "
                    + e.getMessage(), e);
        }
        enabledCapabilities = requested.isEmpty() ? Collections.emptySet()
                : Collections.unmodifiableSet(EnumSet.copyOf(requested));
    }

    private JsonNode awaitGreeting(long deadline) {
        try {
            return greeting.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QmpConnectException("no QMP greeting from " + endpoint + " in time; QEMU serves one QMP"
                    + " client at a time, so another client may still be attached", e);
        } catch (ExecutionException e) {
            throw new QmpConnectException("no QMP greeting from " + endpoint + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpConnectException("interrupted while waiting for the QMP greeting from " + endpoint, e);
        }
    }

    // ---- ending ----

    /** The connection was lost (not closed by us): fail everything, then tell the callbacks. */
    private void lose(Throwable cause) {
        QmpDisconnectedException loss = new QmpDisconnectedException("QMP connection to " + endpoint
                + " lost: " + cause.getMessage(), cause);
        if (terminate(loss)) {
            log.info("QMP connection to {} lost: {}", endpoint, cause.toString());
            disconnectCallbacks.fire(loss);
        }
    }

    /**
     * Ends the connection once: closes the socket and fails the greeting and every pending
     * command. Returns false if it had already ended.
     */
    private boolean terminate(QmpDisconnectedException reason) {
        if (!open.compareAndSet(true, false)) {
            return false;
        }
        channel.close(); // also ends a write blocked on a full socket buffer
        writer.shutdown(); // not shutdownNow: a write failure runs lose() on the writer, which must not be interrupted
        greeting.completeExceptionally(reason);
        pending.failAll(call -> new QmpDisconnectedException(call.command() + " failed: " + reason.getMessage(),
                reason.getCause() != null ? reason.getCause() : reason));
        return true;
    }

    // ---- helpers ----

    /**
     * Waits for a reply {@link #executeAsync} returned, throwing as {@link #execute} does: for callers that send
     * several commands before waiting for the first (QEMU runs one monitor's commands in order).
     */
    public static JsonNode await(CompletableFuture<JsonNode> reply, String command) {
        try {
            return reply.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof QmpException qmp ? qmp : new QmpException(command + " failed: " + cause, cause);
        } catch (CancellationException e) {
            throw new QmpException(command + " was cancelled", e);
        } catch (InterruptedException e) {
            reply.cancel(false);
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for the reply to " + command, e);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }
}
