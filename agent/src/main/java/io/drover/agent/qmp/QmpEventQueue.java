package io.drover.agent.qmp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A buffered event subscription: the events that pass its filter collect here, in receive
 * order, until taken with {@link #poll(Duration)} or {@link #drain()}.
 *
 * <p>The reader thread fills the queue itself, so an event QEMU sent before a command's reply
 * (as {@code RESUME} before {@code cont}'s reply) is already queued when that command returns.
 * For the same reason the filter runs on the reader thread: keep it cheap and non-blocking.
 * Subscribe before sending the command whose events you want, so that none is missed. Once the
 * connection ends no more events arrive; {@link QmpClient#isConnected()} tells.
 */
public final class QmpEventQueue implements Subscription {
    private final BlockingQueue<QmpEvent> events = new LinkedBlockingQueue<>(EventDispatcher.MAX_BACKLOG);
    private final AtomicBoolean overflowing = new AtomicBoolean();
    private final Subscription subscription;

    QmpEventQueue(EventDispatcher dispatcher, Predicate<QmpEvent> filter, String endpoint) {
        this.subscription = dispatcher.add(event -> {
            if (EventDispatcher.safely("filter", endpoint, event, filter)) {
                if (events.offer(event)) {
                    overflowing.set(false);
                } else {
                    EventDispatcher.warnBacklogFull(overflowing, endpoint, event);
                }
            }
        });
    }

    /**
     * Takes the oldest queued event, waiting up to {@code timeout} for one to arrive.
     *
     * @return the event, or {@code null} if none arrived in time
     * @throws QmpException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public QmpEvent poll(Duration timeout) {
        try {
            return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for a QMP event", e);
        }
    }

    /** Takes every queued event, oldest first, without waiting. */
    public List<QmpEvent> drain() {
        List<QmpEvent> taken = new ArrayList<>();
        events.drainTo(taken);
        return taken;
    }

    /** Stops queueing new events; events already queued can still be taken. */
    @Override
    public void close() {
        subscription.close();
    }
}
