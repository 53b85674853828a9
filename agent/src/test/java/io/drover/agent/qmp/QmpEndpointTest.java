package io.drover.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QmpEndpointTest {

    @Test
    void parsesAUnixSocketPath() {
        QmpEndpoint endpoint = QmpEndpoint.parse("unix:/run/drover/vm-1/qmp.sock");

        assertEquals(new QmpEndpoint.Unix(Path.of("/run/drover/vm-1/qmp.sock")), endpoint);
        assertEquals(UnixDomainSocketAddress.of("/run/drover/vm-1/qmp.sock"), endpoint.socketAddress());
    }

    @Test
    void parsesATcpHostAndPort() {
        assertEquals(new QmpEndpoint.Tcp("qemu-host.example", 4444), QmpEndpoint.parse("tcp:qemu-host.example:4444"));
    }

    @Test
    void parsesABracketedIpv6Address() {
        QmpEndpoint endpoint = QmpEndpoint.parse("tcp:[::1]:4444");

        assertEquals(new QmpEndpoint.Tcp("::1", 4444), endpoint);
        assertEquals(4444, ((InetSocketAddress) endpoint.socketAddress()).getPort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:/tmp/qmp.sock", "unix:relative/qmp.sock", "tcp:127.0.0.1:4444", "tcp:[::1]:1"})
    void printsWhatItParses(String text) {
        assertEquals(text, QmpEndpoint.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/tmp/qmp.sock          | must start with 'unix:' or 'tcp:'",
        "''                     | must start with 'unix:' or 'tcp:'",
        "unix:                  | has no socket path",
        "tcp:localhost          | has no port",
        "tcp::4444              | has no host",
        "tcp:[]:4444            | has no host",
        "tcp:localhost:qmp      | port 'qmp' that is not a number",
        "tcp:localhost:         | port '' that is not a number",
        "tcp:localhost:70000    | port 70000 is outside 1-65535",
        "tcp:localhost:0        | port 0 is outside 1-65535",
    })
    void rejectsBadInputSayingWhatIsWrong(String text, String complaint) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse(text));
        assertTrue(e.getMessage().contains(complaint), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse(null));
    }
}
