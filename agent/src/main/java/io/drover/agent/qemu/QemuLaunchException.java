package io.drover.agent.qemu;

/** QEMU did not start; the message carries what QEMU said (its stderr and {@code -D} log). */
public final class QemuLaunchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String qemuOutput;

    QemuLaunchException(String message, String qemuOutput) {
        super(qemuOutput.isBlank() ? message : message + "; QEMU said:\n" + qemuOutput.strip());
        this.qemuOutput = qemuOutput;
    }

    /** QEMU's own output (stderr and log), possibly empty. */
    public String qemuOutput() {
        return qemuOutput;
    }
}
