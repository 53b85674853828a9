package io.drover.agent.qmp;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each event the reader receives to every subscription, in receive order.
 *
 * <p>Listeners run on a callback executor, each subscription serially and in order but
 * independently of the others, so a slow listener delays only itself and a throwing one is
 * logged and keeps receiving. Event queues ({@link QmpEventQueue}) are filled directly by the
 * reader, so an event QEMU sent before a reply is queued before that reply's future completes.
 */
final class EventDispatcher {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

    /**
     * Most events one subscription may hold undelivered. QEMU sends events at a low rate (and
     * throttles the chatty ones), so reaching this means a listener is stuck; dropping its newest
     * events then beats letting it exhaust the heap.
     */
    static final int MAX_BACKLOG = 10_000;

    /** Something that accepts events; called on the reader thread, so it must not block. */
    interface Sink {
        void offer(QmpEvent event);
    }

    private final List<Sink> sinks = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final String endpoint;

    EventDispatcher(Executor executor, String endpoint) {
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /** Delivers {@code event} to every subscription. Called by the reader thread only. */
    void dispatch(QmpEvent event) {
        for (Sink sink : sinks) {
            sink.offer(event);
        }
    }

    /** Subscribes a listener that runs on the callback executor. */
    Subscription subscribe(Predicate<QmpEvent> filter, Consumer<QmpEvent> listener) {
        return add(new ListenerSink(filter, listener));
    }

    /** Subscribes a sink that the reader feeds directly. */
    Subscription add(Sink sink) {
        sinks.add(sink);
        return () -> sinks.remove(sink);
    }

    /** Logs that a subscription's backlog is full; once per episode, not once per dropped event. */
    static void warnBacklogFull(AtomicBoolean overflowing, String endpoint, QmpEvent dropped) {
        if (overflowing.compareAndSet(false, true)) {
            log.warn("QMP event subscription on {} has {} undelivered events; dropping new ones, starting with {} #{}",
                    endpoint, MAX_BACKLOG, dropped.name(), dropped.sequence());
        }
    }

    /** Runs a filter or listener, containing its failures so that they reach no other code. */
    static boolean safely(String what, String endpoint, QmpEvent event, Predicate<QmpEvent> action) {
        try {
            return action.test(event);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // a listener's bug must not stop event delivery
            log.warn("QMP event {} on {} failed for {} #{}", what, endpoint, event.name(), event.sequence(), e);
            return false;
        }
    }

    /** A listener with its own ordered backlog, drained by at most one executor task at a time. */
    private final class ListenerSink implements Sink, Runnable {
        private final Predicate<QmpEvent> filter;
        private final Consumer<QmpEvent> listener;
        private final Queue<QmpEvent> backlog = new ConcurrentLinkedQueue<>();
        private final AtomicInteger backlogSize = new AtomicInteger();
        private final AtomicBoolean draining = new AtomicBoolean();
        private final AtomicBoolean overflowing = new AtomicBoolean();

        ListenerSink(Predicate<QmpEvent> filter, Consumer<QmpEvent> listener) {
            this.filter = filter;
            this.listener = listener;
        }

        @Override
        public void offer(QmpEvent event) {
            if (backlogSize.incrementAndGet() > MAX_BACKLOG) {
                backlogSize.decrementAndGet();
                warnBacklogFull(overflowing, endpoint, event);
                return;
            }
            overflowing.set(false);
            backlog.add(event);
            scheduleDrain();
        }

        private void scheduleDrain() {
            if (draining.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    draining.set(false); // client closed: nobody wants these events any more
                }
            }
        }

        @Override
        public void run() {
            try {
                for (QmpEvent event = backlog.poll(); event != null; event = backlog.poll()) {
                    backlogSize.decrementAndGet();
                    if (sinks.contains(this) && safely("filter", endpoint, event, filter)) {
                        safely("listener", endpoint, event, e -> {
                            listener.accept(e);
                            return true;
                        });
                    }
                }
            } finally {
                draining.set(false);
                if (!backlog.isEmpty()) {
                    scheduleDrain(); // an event arrived after the last poll but before draining was cleared
                }
            }
        }
    }
}
