package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code COLOExitReason} (QAPI, since 3.1): the {@code reason} of {@code COLO_EXIT} and
 * {@code query-colo-status}.
 */
public final class ColoExitReason extends OpenEnum<ColoExitReason> {

    private static final Values<ColoExitReason> VALUES = new Values<>(ColoExitReason::new);

    /** Failover has never happened; only in {@code query-colo-status}, never in {@code COLO_EXIT}. */
    public static final ColoExitReason NONE = VALUES.known("none");

    /** COLO exit is due to an external request. */
    public static final ColoExitReason REQUEST = VALUES.known("request");

    /** COLO exit is due to an internal error. */
    public static final ColoExitReason ERROR = VALUES.known("error");

    /** COLO is currently handling a failover (4.0). */
    public static final ColoExitReason PROCESSING = VALUES.known("processing");

    private ColoExitReason(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ColoExitReason of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<ColoExitReason> values() {
        return VALUES.values();
    }
}
