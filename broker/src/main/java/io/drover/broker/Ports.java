package io.drover.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/** Port helpers for listeners bound to the loopback address only. */
final class Ports {

    /** The broker never listens beyond this machine: tests and the demo are local. */
    static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /** The OS repeating a port already handed out this many times in a row means something is badly wrong. */
    private static final int ATTEMPTS = 64;
    /** Enough for every broker one JVM starts, small enough to never matter. */
    private static final int REMEMBERED = 1024;
    private static final Set<Integer> handedOut = new LinkedHashSet<>();

    /**
     * Returns a port that was free on {@link #LOOPBACK} a moment ago (chosen by the OS), never one
     * handed out before by this JVM: Linux may offer the same port to two probes in a row, and the
     * client and controller listeners, picked back to back, would then clash.
     */
    static int freePort() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port;
            try (ServerSocket socket = bind(0)) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new BrokerStartException("no free port on " + LOOPBACK, e);
            }
            synchronized (handedOut) {
                if (handedOut.add(port)) {
                    if (handedOut.size() > REMEMBERED) {
                        Iterator<Integer> oldest = handedOut.iterator();
                        oldest.next();
                        oldest.remove();
                    }
                    return port;
                }
            }
        }
        throw new BrokerStartException("the OS kept offering ports already handed out on " + LOOPBACK);
    }

    /** A free port other than {@code taken}, which the caller chose itself. */
    static int freePortOtherThan(int taken) {
        synchronized (handedOut) {
            handedOut.add(taken);
        }
        return freePort();
    }

    /**
     * Fails fast, with a clear message, if {@code port} cannot be bound on {@link #LOOPBACK};
     * Kafka's own bind error comes later and buried in its startup logs.
     */
    static void requireFree(int port) {
        try {
            bind(port).close();
        } catch (IOException e) {
            throw new BrokerStartException("port " + port + " on " + LOOPBACK + " is in use", e);
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            // The JDK sets this on the server channels Kafka binds, so "free" here means free for Kafka.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
