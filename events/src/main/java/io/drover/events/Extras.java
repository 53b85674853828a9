package io.drover.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one mechanism for "members this version of Drover does not model yet": records of QEMU structs
 * that QEMU keeps extending ({@link MigrationInfo}, {@link MigrationStats}, {@link MigrationParameters})
 * end with an {@code extras} component annotated {@code @JsonAnySetter @JsonAnyGetter}, whose canonical
 * constructor passes it through {@link #copyOf}. Unknown members are then kept, verbatim, and written
 * back after the modelled ones, so a record forwarded by an older agent loses nothing.
 */
final class Extras {

    private Extras() {
    }

    /** An unmodifiable copy sorted by member name (deterministic output); empty for null. */
    static Map<String, JsonNode> copyOf(Map<String, JsonNode> extras) {
        return extras == null || extras.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(extras));
    }
}
