package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * Drover's own open enum: which end of a migration an agent observed, in {@link MigrationSample}.
 */
public final class MigrationRole extends OpenEnum<MigrationRole> {

    private static final Values<MigrationRole> VALUES = new Values<>(MigrationRole::new);

    /** The outgoing side, where {@code migrate} was issued. */
    public static final MigrationRole SOURCE = VALUES.known("source");

    /** The incoming side, started with {@code -incoming}. */
    public static final MigrationRole DESTINATION = VALUES.known("destination");

    private MigrationRole(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MigrationRole of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<MigrationRole> values() {
        return VALUES.values();
    }
}
