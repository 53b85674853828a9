package io.drover.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Assertions shared by the QMP tests. */
final class QmpAssertions {
    /** Generous bound for anything that should happen "soon" (an event, a reply, a failure). */
    static final Duration SOON = Duration.ofSeconds(10);

    private QmpAssertions() {
    }

    /** Waits for {@code future} to fail and returns its failure, which must be a {@code type}. */
    static <T extends Throwable> T failureOf(CompletableFuture<?> future, Class<T> type) {
        try {
            Object value = future.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected " + type.getSimpleName() + " but the call returned " + value);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause());
        } catch (TimeoutException e) {
            return fail("the call neither returned nor failed within " + SOON);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(e);
        }
    }

    /** Waits for the next event in {@code queue}; fails if none arrives soon. */
    static QmpEvent next(QmpEventQueue queue) {
        QmpEvent event = queue.poll(SOON);
        assertNotNull(event, "no event within " + SOON);
        return event;
    }

    /** Waits for the next {@code count} events in {@code queue}. */
    static List<QmpEvent> next(QmpEventQueue queue, int count) {
        List<QmpEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(next(queue));
        }
        return events;
    }

    static List<String> names(List<QmpEvent> events) {
        return events.stream().map(QmpEvent::name).toList();
    }
}
