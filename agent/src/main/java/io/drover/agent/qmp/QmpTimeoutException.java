package io.drover.agent.qmp;

import java.time.Duration;

/**
 * A command got no reply within its timeout. The connection stays usable; if QEMU replies
 * later, that reply is dropped quietly.
 */
public class QmpTimeoutException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final Duration timeout;

    public QmpTimeoutException(String command, Duration timeout) {
        super(command + " got no reply within " + timeout.toMillis() + " ms");
        this.command = command;
        this.timeout = timeout;
    }

    /** The QMP command that timed out. */
    public String command() {
        return command;
    }

    /** The timeout the command was given. */
    public Duration timeout() {
        return timeout;
    }
}
