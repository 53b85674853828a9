package io.drover.agent.qmp;

/**
 * The peer broke the QMP protocol: it sent malformed JSON, a JSON value that is not an object,
 * or a message that makes no sense where it arrived (e.g. a reply with neither {@code return}
 * nor {@code error}).
 */
public class QmpProtocolException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpProtocolException(String message) {
        super(message);
    }

    public QmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
