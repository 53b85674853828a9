package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code RunState} (QAPI): the {@code status} of {@code query-status}. The ones a migration
 * moves through: the source goes {@code running -> finish-migrate} (at {@code STOP}) {@code -> postmigrate};
 * the destination goes {@code inmigrate -> running} (at {@code RESUME}), or {@code paused} when started
 * with {@code -S}. This list is QEMU 7.2's.
 */
public final class RunState extends OpenEnum<RunState> {

    private static final Values<RunState> VALUES = new Values<>(RunState::new);

    /** QEMU is running on a debugger. */
    public static final RunState DEBUG = VALUES.known("debug");

    /** Guest is paused waiting for an incoming migration. */
    public static final RunState INMIGRATE = VALUES.known("inmigrate");

    /** An internal error that prevents further guest execution occurred. */
    public static final RunState INTERNAL_ERROR = VALUES.known("internal-error");

    /** The last I/O operation failed and the device is configured to stop on errors. */
    public static final RunState IO_ERROR = VALUES.known("io-error");

    /** Guest has been paused by the user ({@code stop}) or by a migration that paused it. */
    public static final RunState PAUSED = VALUES.known("paused");

    /** Guest is paused after a completed outgoing migration. */
    public static final RunState POSTMIGRATE = VALUES.known("postmigrate");

    /** QEMU was started with {@code -S} and the guest has not started. */
    public static final RunState PRELAUNCH = VALUES.known("prelaunch");

    /** Guest is paused to finish the migration process (the switchover). */
    public static final RunState FINISH_MIGRATE = VALUES.known("finish-migrate");

    /** Guest is paused to restore VM state. */
    public static final RunState RESTORE_VM = VALUES.known("restore-vm");

    /** Guest is actively running. */
    public static final RunState RUNNING = VALUES.known("running");

    /** Guest is paused to save the VM state. */
    public static final RunState SAVE_VM = VALUES.known("save-vm");

    /** Guest is shut down and -no-shutdown is in use. */
    public static final RunState SHUTDOWN = VALUES.known("shutdown");

    /** Guest is suspended (ACPI S3). */
    public static final RunState SUSPENDED = VALUES.known("suspended");

    /** The watchdog action is configured to pause and has been triggered. */
    public static final RunState WATCHDOG = VALUES.known("watchdog");

    /** Guest has panicked as a result of a guest OS panic (1.5). */
    public static final RunState GUEST_PANICKED = VALUES.known("guest-panicked");

    /** Guest is paused to save or restore VM state under COLO (2.8). */
    public static final RunState COLO = VALUES.known("colo");

    private RunState(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RunState of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<RunState> values() {
        return VALUES.values();
    }
}
