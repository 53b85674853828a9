package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/** QEMU's {@code FailoverStatus} (QAPI, since 2.8): the state of a COLO failover. */
public final class FailoverStatus extends OpenEnum<FailoverStatus> {

    private static final Values<FailoverStatus> VALUES = new Values<>(FailoverStatus::new);

    /** No failover has ever happened. */
    public static final FailoverStatus NONE = VALUES.known("none");

    /** Got a failover requirement but not handled yet. */
    public static final FailoverStatus REQUIRE = VALUES.known("require");

    /** In the process of doing failover. */
    public static final FailoverStatus ACTIVE = VALUES.known("active");

    /** Failover has finished. */
    public static final FailoverStatus COMPLETED = VALUES.known("completed");

    /** Restart the failover process, from none to completed (2.9). */
    public static final FailoverStatus RELAUNCH = VALUES.known("relaunch");

    private FailoverStatus(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static FailoverStatus of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<FailoverStatus> values() {
        return VALUES.values();
    }
}
