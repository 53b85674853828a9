package io.drover.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void neverHandsOutTheSamePortTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = FreePorts.loopback();
            assertTrue(seen.add(port), "port " + port + " handed out twice");
        }
        assertEquals(300, seen.size());
    }

    @Test
    void aHandedOutPortCanBeBound() throws IOException {
        int port = FreePorts.on("127.0.0.1");
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertEquals(port, s.getLocalPort());
        }
    }
}
