package io.drover.agent.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One socket to a QMP server: connects with a timeout, reads a stream of JSON objects, writes
 * encoded commands. One thread reads while another writes; SocketChannel allows that, whereas
 * the streams of {@link java.nio.channels.Channels} hold one lock for both directions and would
 * stall every write behind the blocked read.
 */
final class QmpChannel implements AutoCloseable {

    private final SocketChannel socket;
    /** Created on first read, by the reading thread: creating it already blocks for the first token. */
    private MappingIterator<JsonNode> messages;

    private QmpChannel(SocketChannel socket) {
        this.socket = socket;
    }

    /** Connects to {@code endpoint}, giving up after {@code timeout}. */
    static QmpChannel open(QmpEndpoint endpoint, Duration timeout) throws IOException {
        SocketChannel socket = endpoint instanceof QmpEndpoint.Unix
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        try {
            connect(socket, endpoint, timeout);
            return new QmpChannel(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static void connect(SocketChannel socket, QmpEndpoint endpoint, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        socket.configureBlocking(false);
        if (!socket.connect(endpoint.socketAddress())) {
            try (Selector selector = Selector.open()) {
                socket.register(selector, SelectionKey.OP_CONNECT);
                while (!socket.finishConnect()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new SocketTimeoutException("connect timed out after " + timeout.toMillis() + " ms");
                    }
                    selector.select(left);
                }
            }
        }
        socket.configureBlocking(true);
    }

    /**
     * Blocks for the next message.
     *
     * @return the next JSON object, or {@code null} at end of stream
     * @throws QmpProtocolException if the peer sent malformed JSON or a value that is not an object
     * @throws IOException          on a socket error, including this channel being closed
     */
    JsonNode read() throws IOException {
        try {
            if (messages == null) {
                messages = QmpJson.MAPPER.readerFor(JsonNode.class).readValues(new SocketInput());
            }
            if (!messages.hasNextValue()) {
                return null;
            }
            JsonNode message = messages.nextValue();
            if (!message.isObject()) {
                throw new QmpProtocolException("QMP peer sent a JSON " + message.getNodeType()
                        + " where a message object belongs: " + QmpJson.quote(message));
            }
            return message;
        } catch (JsonProcessingException e) {
            throw new QmpProtocolException("QMP peer sent malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes one whole encoded message; blocks while the socket's send buffer is full. */
    void write(byte[] message) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(message);
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    /** Closes the socket, which also ends a read blocked in another thread. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the socket is unusable either way.
        }
    }

    /** Reads straight from the socket, without {@code Channels.newInputStream}'s shared lock. */
    private final class SocketInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            return length == 0 ? 0 : socket.read(ByteBuffer.wrap(bytes, offset, length));
        }

        @Override
        public void close() {
            QmpChannel.this.close();
        }
    }
}
