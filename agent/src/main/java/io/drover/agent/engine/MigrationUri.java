package io.drover.agent.engine;

import java.util.regex.Pattern;

/**
 * Checks a migration URI before QEMU sees it, so that a typo gets a message naming the URI and
 * the accepted forms instead of QEMU's "Parameter 'uri' expects a valid migration protocol".
 */
public final class MigrationUri {
    /** tcp:HOST:PORT with an IPv4 address, a host name or a bracketed IPv6 address. */
    private static final Pattern TCP = Pattern.compile("tcp:(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");
    private static final Pattern UNIX = Pattern.compile("unix:/.+");

    private MigrationUri() {
    }

    public static String validate(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("migration URI is missing (expected tcp:HOST:PORT or unix:/PATH)");
        }
        var m = TCP.matcher(uri);
        if (m.matches()) {
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("migration URI '" + uri + "': port " + port + " is out of range 1-65535");
            }
            return uri;
        }
        if (UNIX.matcher(uri).matches()) {
            return uri;
        }
        throw new IllegalArgumentException("migration URI '" + uri + "' is not valid: expected tcp:HOST:PORT or unix:/PATH");
    }
}
