package io.drover.agent.qemu;

/** The part a QEMU instance plays in a live migration. */
public enum Role {
    /** Boots and runs the guest; migrates it away. */
    SOURCE,
    /** Starts with {@code -incoming defer}: waits, paused, for {@code migrate-incoming} over QMP. */
    DESTINATION
}
