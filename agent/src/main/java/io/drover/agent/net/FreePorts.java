package io.drover.agent.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Ports that are free now, chosen by the OS, and never the same one twice in this JVM.
 *
 * <p>Probing with {@code bind(0)} and closing is racy by nature: the caller binds the port later
 * (QEMU's {@code -incoming}, a broker, an HTTP server). Worse, Linux may hand the same port to two
 * probes in a row, because a closed probe leaves the port free again; two listeners picked back to
 * back then clash. This class remembers the ports it handed out recently and asks again when the
 * OS repeats one. A clash with another process remains possible and is reported by whoever binds.
 */
public final class FreePorts {

    /** Enough to cover every listener one JVM starts in a test run or a demo, small enough to never matter. */
    private static final int REMEMBERED = 1024;
    /** The OS repeating a remembered port this many times in a row means something is badly wrong. */
    private static final int ATTEMPTS = 64;

    private static final Set<Integer> handedOut = new LinkedHashSet<>();

    private FreePorts() {
    }

    /** A free port on 127.0.0.1. */
    public static int loopback() {
        return on(InetAddress.getLoopbackAddress());
    }

    /** A free port on {@code address}, not handed out before by this JVM. */
    public static int on(InetAddress address) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = probe(address);
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
        throw new IllegalStateException("the OS kept offering ports already handed out on " + address.getHostAddress());
    }

    /** A free port on the host or address {@code host} names. */
    public static int on(String host) {
        try {
            return on(InetAddress.getByName(host));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + host + ": " + e.getMessage(), e);
        }
    }

    private static int probe(InetAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + address.getHostAddress() + ": " + e.getMessage(), e);
        }
    }
}
