package io.drover.agent.qmp;

/**
 * The connection to QEMU is gone (EOF, socket error, protocol error, QEMU killed, or the client
 * was closed). Every command still pending at that moment fails with this exception; its cause,
 * when there is one, says why the connection ended.
 */
public class QmpDisconnectedException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpDisconnectedException(String message) {
        super(message);
    }

    public QmpDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
