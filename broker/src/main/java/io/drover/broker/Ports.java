package io.drover.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port helpers for listeners bound to the loopback address only. */
final class Ports {

    /** The broker never listens beyond this machine: tests and the demo are local. */
    static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /** Returns a port that was free on {@link #LOOPBACK} a moment ago (chosen by the OS). */
    static int freePort() {
        try (ServerSocket socket = bind(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BrokerStartException("no free port on " + LOOPBACK, e);
        }
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
