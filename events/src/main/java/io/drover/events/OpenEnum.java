package io.drover.events;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Base of Drover's <em>open</em> enumerations: string-valued enums (mostly mirrors of QEMU QAPI enums)
 * that never reject a value they do not know.
 *
 * <p>QEMU adds enum members in almost every release (see each subclass for what came when), and Drover's
 * agents run against many QEMU versions. A Java {@code enum} would throw on a value it was compiled
 * without; an {@code OpenEnum} instead returns an <em>unknown</em> instance that keeps the raw wire
 * string, so nothing is lost and the value round-trips unchanged:
 *
 * <pre>{@code
 * MigrationStatus s = MigrationStatus.of("postcopy-recover-setup-v2");
 * s.isKnown();   // false
 * s.raw();       // "postcopy-recover-setup-v2"
 * s.toString();  // "postcopy-recover-setup-v2"
 * }</pre>
 *
 * <p>Equality and hash code are by concrete class and raw string, so {@code MigrationStatus.of("completed")
 * == MigrationStatus.COMPLETED} (the known constant is returned) and two unknown instances with the same
 * raw string are {@code equals}. The natural order is by raw string (consistent with {@code equals}; not
 * the declaration order), so open enums can be sorted map keys. Jackson writes the raw string
 * ({@link #raw()} is the {@code @JsonValue}), also as a map key; every subclass reads it through its
 * {@code @JsonCreator} {@code of(String)}.
 *
 * <p>A subclass is a final class with a private {@code (String, boolean)} constructor that declares its
 * {@link Values} registry <em>first</em>, then one constant per known value:
 *
 * <pre>{@code
 * public final class Colour extends OpenEnum<Colour> {
 *     private static final Values<Colour> VALUES = new Values<>(Colour::new);
 *     public static final Colour RED = VALUES.known("red");
 *     private Colour(String raw, boolean known) { super(raw, known); }
 *     @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
 *     public static Colour of(String raw) { return VALUES.of(raw); }
 *     public static List<Colour> values() { return VALUES.values(); }
 * }
 * }</pre>
 *
 * @param <E> the concrete subclass
 */
public abstract class OpenEnum<E extends OpenEnum<E>> implements Comparable<E> {

    private final String raw;
    private final boolean known;

    /**
     * @param raw   the wire string, never null
     * @param known whether this is one of the subclass's declared constants
     */
    protected OpenEnum(String raw, boolean known) {
        this.raw = Objects.requireNonNull(raw, "raw");
        this.known = known;
    }

    /** The exact string as it appears on the wire (QEMU's spelling for QAPI mirrors). */
    @JsonValue
    public final String raw() {
        return raw;
    }

    /** True for the declared constants, false for a value this version of Drover does not know. */
    public final boolean isKnown() {
        return known;
    }

    @Override
    public final boolean equals(Object o) {
        return o == this || (o != null && o.getClass() == getClass() && raw.equals(((OpenEnum<?>) o).raw));
    }

    @Override
    public final int hashCode() {
        return raw.hashCode();
    }

    /** Orders by raw string. */
    @Override
    public final int compareTo(E other) {
        return raw.compareTo(other.raw());
    }

    /** The raw string, for known and unknown values alike. */
    @Override
    public final String toString() {
        return raw;
    }

    /**
     * The registry of one subclass's known values. It is filled only from the subclass's static
     * initialiser (class initialisation publishes it safely) and read-only afterwards.
     *
     * @param <E> the concrete subclass
     */
    protected static final class Values<E extends OpenEnum<E>> {

        private final BiFunction<String, Boolean, E> factory;
        private final Map<String, E> known = new LinkedHashMap<>();

        /** @param factory the subclass constructor, {@code (raw, known) -> instance} */
        public Values(BiFunction<String, Boolean, E> factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /** Declares a known value; call once per constant, from the static initialiser only. */
        public E known(String raw) {
            E value = factory.apply(raw, Boolean.TRUE);
            if (known.putIfAbsent(raw, value) != null) {
                throw new IllegalStateException("duplicate open-enum value: " + raw);
            }
            return value;
        }

        /**
         * The constant for {@code raw}, or a new unknown instance keeping {@code raw}; null for null.
         * Never throws.
         */
        public E of(String raw) {
            if (raw == null) {
                return null;
            }
            E value = known.get(raw);
            return value != null ? value : factory.apply(raw, Boolean.FALSE);
        }

        /** The known values in declaration order (an unmodifiable copy). */
        public List<E> values() {
            return List.copyOf(known.values());
        }
    }
}
