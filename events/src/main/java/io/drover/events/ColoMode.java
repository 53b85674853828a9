package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code COLOMode} (QAPI, since 2.8): the {@code mode} of {@code COLO_EXIT} and
 * {@code query-colo-status}. QEMU 2.8-3.0 called the "not in COLO" mode {@code unknown}
 * ({@link #LEGACY_UNKNOWN}, still a <em>known</em> value here); QEMU 3.1 renamed it {@code none}.
 */
public final class ColoMode extends OpenEnum<ColoMode> {

    private static final Values<ColoMode> VALUES = new Values<>(ColoMode::new);

    /** The 2017 (2.8-3.0) spelling of {@link #NONE}. A known value despite its name. */
    public static final ColoMode LEGACY_UNKNOWN = VALUES.known("unknown");

    /** COLO is disabled (3.1; was {@code unknown}). */
    public static final ColoMode NONE = VALUES.known("none");

    /** COLO node on the primary side. */
    public static final ColoMode PRIMARY = VALUES.known("primary");

    /** COLO node on the secondary side. */
    public static final ColoMode SECONDARY = VALUES.known("secondary");

    private ColoMode(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ColoMode of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<ColoMode> values() {
        return VALUES.values();
    }
}
