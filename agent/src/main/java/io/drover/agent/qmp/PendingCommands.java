package io.drover.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands sent on one connection that await their reply, keyed by the {@code id} each was
 * sent with. Gives out ids, routes replies, enforces timeouts, and completes replies and timeouts on a
 * callback executor so that code chained onto a future never runs on (and stalls) the reader.
 */
final class PendingCommands {
    private static final Logger log = LoggerFactory.getLogger(PendingCommands.class);

    /** Prefix of our command ids; it makes Drover's commands recognisable in QEMU traces. */
    private static final String ID_PREFIX = "drover-";

    /** One JVM-wide timer is enough: its tasks only hand a failure to the client's callback executor. */
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    /** A command awaiting its reply. */
    record Pending(String id, String command, JsonNode arguments, Duration timeout,
                   CompletableFuture<JsonNode> future) {
    }

    private final Map<String, Pending> byId = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicLong droppedReplies = new AtomicLong();
    private final Executor completions;

    PendingCommands(Executor completions) {
        this.completions = completions;
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new DaemonThreads("qmp-timeouts"));
        timer.setRemoveOnCancelPolicy(true); // most commands answer long before their timeout
        return timer;
    }

    /** Registers a command under a fresh id; it fails with {@link QmpTimeoutException} after {@code timeout}. */
    Pending register(String command, JsonNode arguments, Duration timeout) {
        String id = ID_PREFIX + lastId.incrementAndGet();
        Pending pending = new Pending(id, command, arguments, timeout, new CompletableFuture<>());
        byId.put(id, pending);
        ScheduledFuture<?> timer = TIMER.schedule(() -> expire(id), timeout.toNanos(), TimeUnit.NANOSECONDS);
        // However it ends (reply, timeout, disconnect, caller's cancel), forget the command.
        pending.future().whenComplete((result, failure) -> {
            byId.remove(id, pending);
            timer.cancel(false);
        });
        return pending;
    }

    /**
     * Routes a reply to the command whose id it carries. A reply to a command that already timed
     * out or was cancelled is dropped quietly.
     */
    void resolve(JsonNode reply) {
        JsonNode id = reply.get("id");
        Pending pending = id != null && id.isTextual() ? byId.remove(id.asText()) : null;
        if (pending == null) {
            droppedReplies.incrementAndGet();
            log.debug("Dropping reply to a command that timed out or was cancelled: {}", QmpJson.quote(reply));
            return;
        }
        JsonNode result = reply.get("return");
        if (result != null) {
            completeLater(pending, f -> f.complete(result));
        } else if (reply.has("error")) {
            failLater(pending, new QmpExecuteException(pending.command(), pending.arguments(), reply));
        } else {
            failLater(pending, new QmpProtocolException("reply to " + pending.command()
                    + " has neither 'return' nor 'error': " + QmpJson.quote(reply)));
        }
    }

    /** Fails one command on the calling thread, unless it has already ended. */
    void fail(Pending pending, QmpException failure) {
        byId.remove(pending.id(), pending);
        pending.future().completeExceptionally(failure);
    }

    /**
     * Fails every pending command, on the calling thread, with the exception {@code failureFor}
     * makes for it; when this returns, every one of their futures is complete.
     */
    void failAll(Function<Pending, QmpException> failureFor) {
        for (Pending pending : byId.values()) {
            fail(pending, failureFor.apply(pending));
        }
    }

    /** Replies that matched no pending command, e.g. late replies to timed-out commands. */
    long droppedReplies() {
        return droppedReplies.get();
    }

    private void expire(String id) {
        Pending pending = byId.remove(id);
        if (pending != null) {
            failLater(pending, new QmpTimeoutException(pending.command(), pending.timeout()));
        }
    }

    private void failLater(Pending pending, QmpException failure) {
        completeLater(pending, f -> f.completeExceptionally(failure));
    }

    /** Completes on the callback executor, so that code chained onto the future runs there. */
    private void completeLater(Pending pending, Consumer<CompletableFuture<JsonNode>> how) {
        try {
            completions.execute(() -> how.accept(pending.future()));
        } catch (RejectedExecutionException e) {
            how.accept(pending.future()); // the client is closed: complete here rather than never
        }
    }
}
