package io.drover.agent.qmp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code onDisconnect} callbacks of one client: each runs exactly once, when the connection
 * is lost, or at once if it was lost before the callback was added. A failing callback is
 * logged and does not stop the others.
 */
final class DisconnectCallbacks {
    private static final Logger log = LoggerFactory.getLogger(DisconnectCallbacks.class);

    private final List<Consumer<Throwable>> waiting = new ArrayList<>();
    private final String endpoint;
    /** Why the connection was lost; null until then. Guarded by {@code this}. */
    private Throwable cause;

    DisconnectCallbacks(String endpoint) {
        this.endpoint = endpoint;
    }

    /** Adds a callback, running it at once on this thread if the loss has already happened. */
    void add(Consumer<Throwable> callback) {
        Throwable lost;
        synchronized (this) {
            lost = cause;
            if (lost == null) {
                waiting.add(callback);
                return;
            }
        }
        run(callback, lost);
    }

    /** Records the loss and runs every waiting callback on this thread. */
    void fire(Throwable lossCause) {
        List<Consumer<Throwable>> toRun;
        synchronized (this) {
            cause = lossCause;
            toRun = List.copyOf(waiting);
            waiting.clear();
        }
        toRun.forEach(callback -> run(callback, lossCause));
    }

    /** Why the connection was lost, or null if it was not (yet). */
    synchronized Throwable cause() {
        return cause;
    }

    private void run(Consumer<Throwable> callback, Throwable lossCause) {
        try {
            callback.accept(lossCause);
        } catch (RuntimeException e) {
            log.warn("QMP onDisconnect callback for {} failed", endpoint, e);
        }
    }
}
