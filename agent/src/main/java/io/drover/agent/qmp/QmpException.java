package io.drover.agent.qmp;

/**
 * Root of every exception the QMP client throws. Unchecked, so that callers can catch the one
 * type they care about ({@link QmpExecuteException}, {@link QmpTimeoutException}, ...) or all of
 * them at once.
 */
public class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
