package io.drover.agent.qmp;

/**
 * A QMP session could not be established: the socket could not be connected, QEMU sent no
 * greeting in time or a malformed one, or capabilities negotiation failed.
 */
public class QmpConnectException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpConnectException(String message) {
        super(message);
    }

    public QmpConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
