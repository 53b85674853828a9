package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code MigrationStatus} (QAPI, since 2.3): the {@code status} of {@code query-migrate} and of
 * the {@code MIGRATION} event. The 2017 (QEMU 2.11) members are all here; later QEMU added
 * {@code postcopy-paused} and {@code postcopy-recover} (3.0), {@code wait-unplug} (4.2) and
 * {@code postcopy-recover-setup} (9.1). Anything newer is kept as an unknown value
 * ({@link #isKnown()} false) and reported by none of the predicates.
 */
public final class MigrationStatus extends OpenEnum<MigrationStatus> {

    private static final Values<MigrationStatus> VALUES = new Values<>(MigrationStatus::new);

    /** No migration has ever happened (2.3). */
    public static final MigrationStatus NONE = VALUES.known("none");

    /** Migration process has been initiated (2.3). */
    public static final MigrationStatus SETUP = VALUES.known("setup");

    /** In the process of cancelling migration (2.3). */
    public static final MigrationStatus CANCELLING = VALUES.known("cancelling");

    /** Cancelling migration is finished (2.3). Terminal. */
    public static final MigrationStatus CANCELLED = VALUES.known("cancelled");

    /** In the process of doing migration (2.3). */
    public static final MigrationStatus ACTIVE = VALUES.known("active");

    /** Like active, but now in postcopy mode (2.5). */
    public static final MigrationStatus POSTCOPY_ACTIVE = VALUES.known("postcopy-active");

    /** During postcopy but paused, e.g. the channel broke (3.0). */
    public static final MigrationStatus POSTCOPY_PAUSED = VALUES.known("postcopy-paused");

    /** Setup phase for a postcopy recovery (9.1). */
    public static final MigrationStatus POSTCOPY_RECOVER_SETUP = VALUES.known("postcopy-recover-setup");

    /** Trying to recover from a paused postcopy (3.0). */
    public static final MigrationStatus POSTCOPY_RECOVER = VALUES.known("postcopy-recover");

    /** Migration is finished (2.3). Terminal. */
    public static final MigrationStatus COMPLETED = VALUES.known("completed");

    /** Some error occurred during migration (2.3); see {@code error-desc}. Terminal. */
    public static final MigrationStatus FAILED = VALUES.known("failed");

    /** In COLO fault tolerance; only with the {@code x-colo} capability (2.8). */
    public static final MigrationStatus COLO = VALUES.known("colo");

    /** Paused before device serialisation, with {@code pause-before-switchover} (2.11). */
    public static final MigrationStatus PRE_SWITCHOVER = VALUES.known("pre-switchover");

    /** During device serialisation when {@code pause-before-switchover} is enabled (2.11). */
    public static final MigrationStatus DEVICE = VALUES.known("device");

    /** Waiting for the guest OS to complete a device unplug request (4.2). */
    public static final MigrationStatus WAIT_UNPLUG = VALUES.known("wait-unplug");

    /** True for {@link #COMPLETED}, {@link #FAILED} and {@link #CANCELLED}: QEMU will not leave these by itself. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /**
     * True while a migration is in progress: every known status except {@link #NONE} and the terminal
     * ones (so including {@link #SETUP}, {@link #CANCELLING}, {@link #COLO} and the postcopy and
     * switchover states). False for unknown values.
     */
    public boolean isActive() {
        return isKnown() && this != NONE && !isTerminal();
    }

    /** True for the postcopy phases: {@code postcopy-active}, {@code -paused}, {@code -recover-setup}, {@code -recover}. */
    public boolean isPostcopy() {
        return this == POSTCOPY_ACTIVE || this == POSTCOPY_PAUSED
                || this == POSTCOPY_RECOVER_SETUP || this == POSTCOPY_RECOVER;
    }

    private MigrationStatus(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MigrationStatus of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<MigrationStatus> values() {
        return VALUES.values();
    }
}
