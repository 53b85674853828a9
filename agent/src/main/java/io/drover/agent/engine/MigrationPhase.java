package io.drover.agent.engine;

/**
 * The engine's own view of a migration, persisted before each irreversible step (like libvirt's
 * migration phases) so that an agent restarted mid-migration can switch over the saved phase and
 * reconcile with what QEMU reports on both ends.
 */
public enum MigrationPhase {
    /** Capabilities and parameters are being set; nothing irreversible has happened. */
    CONFIGURING,
    /** The destination listens ({@code migrate-incoming} done). */
    INCOMING_READY,
    /** Persisted before {@code migrate}: from here the source may already be sending. */
    MIGRATING,
    /** Persisted before {@code migrate-start-postcopy}: from here the guest runs on the destination. */
    POSTCOPY,
    /** The source reported completed; waiting for the destination to complete and resume. */
    CONFIRMING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
