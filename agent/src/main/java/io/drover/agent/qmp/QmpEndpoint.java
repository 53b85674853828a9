package io.drover.agent.qmp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a QEMU monitor listens for QMP clients: a unix domain socket
 * ({@code -qmp unix:PATH,server=on,wait=off}) or a TCP socket
 * ({@code -qmp tcp:HOST:PORT,server=on,wait=off}).
 *
 * <p>{@link #toString()} gives the same {@code unix:PATH} / {@code tcp:HOST:PORT} form that
 * {@link #parse(String)} reads.
 */
public sealed interface QmpEndpoint permits QmpEndpoint.Unix, QmpEndpoint.Tcp {

    /** Prefix of a unix domain socket endpoint, as in QEMU's own chardev syntax. */
    String UNIX_PREFIX = "unix:";
    /** Prefix of a TCP endpoint, as in QEMU's own chardev syntax. */
    String TCP_PREFIX = "tcp:";

    /** The address to connect a socket to (a TCP host name is resolved by this call). */
    SocketAddress socketAddress();

    /**
     * Parses {@code "unix:/path/to/sock"}, {@code "tcp:host:port"} or {@code "tcp:[v6addr]:port"}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code s}
     */
    static QmpEndpoint parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("QMP endpoint is null; expected unix:PATH or tcp:HOST:PORT");
        }
        if (s.startsWith(UNIX_PREFIX)) {
            return Unix.parse(s, s.substring(UNIX_PREFIX.length()));
        }
        if (s.startsWith(TCP_PREFIX)) {
            return Tcp.parse(s, s.substring(TCP_PREFIX.length()));
        }
        throw new IllegalArgumentException(
                "QMP endpoint '" + s + "' must start with '" + UNIX_PREFIX + "' or '" + TCP_PREFIX + "'");
    }

    /** A unix domain socket, the usual way a local agent talks to QEMU. */
    record Unix(Path path) implements QmpEndpoint {
        public Unix {
            Objects.requireNonNull(path, "path");
            if (path.toString().isEmpty()) {
                throw new IllegalArgumentException("unix QMP endpoint has an empty socket path");
            }
        }

        private static Unix parse(String whole, String path) {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "' has no socket path after 'unix:'");
            }
            try {
                return new Unix(Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "' has an invalid socket path: "
                        + e.getMessage(), e);
            }
        }

        @Override
        public SocketAddress socketAddress() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public String toString() {
            return UNIX_PREFIX + path;
        }
    }

    /** A TCP socket; {@code host} is a name or an address (an IPv6 address without brackets). */
    record Tcp(String host, int port) implements QmpEndpoint {
        /** The largest TCP port number. */
        private static final int MAX_PORT = 65_535;

        public Tcp {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("tcp QMP endpoint has an empty host");
            }
            if (port < 1 || port > MAX_PORT) {
                throw new IllegalArgumentException("tcp QMP endpoint port " + port + " is outside 1-" + MAX_PORT);
            }
        }

        private static Tcp parse(String whole, String hostAndPort) {
            int colon = hostAndPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "' has no port; expected tcp:HOST:PORT");
            }
            String host = hostAndPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "' has no host; expected tcp:HOST:PORT");
            }
            String port = hostAndPort.substring(colon + 1);
            try {
                return new Tcp(host, Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "' has a port '" + port
                        + "' that is not a number", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("QMP endpoint '" + whole + "': " + e.getMessage(), e);
            }
        }

        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return TCP_PREFIX + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
