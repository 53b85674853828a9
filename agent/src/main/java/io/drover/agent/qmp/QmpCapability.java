package io.drover.agent.qmp;

/**
 * QMP capabilities a client may ask QEMU to enable in {@code qmp_capabilities}. The client
 * enables none unless asked: out-of-band execution lets replies arrive out of order and caps
 * the in-band queue, which plain command/reply use does not need.
 */
public enum QmpCapability {
    /**
     * Out-of-band execution ({@code exec-oob}), for the few commands QEMU runs on the monitor
     * I/O thread even while the main loop is busy, such as {@code migrate-pause} and
     * {@code migrate-recover} for postcopy recovery.
     */
    OOB("oob");

    private final String wireName;

    QmpCapability(String wireName) {
        this.wireName = wireName;
    }

    /** The capability's name in the greeting and in {@code qmp_capabilities}. */
    public String wireName() {
        return wireName;
    }
}
