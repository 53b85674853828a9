package io.drover.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration used for every Drover contract type, on the wire and in tests.
 *
 * <ul>
 *   <li>{@code java.time} and {@code Optional} support (jsr310 and jdk8 modules);</li>
 *   <li>timestamps as ISO-8601 / RFC 3339 strings ({@code "2026-11-22T05:45:07.371797Z"}), never numbers;</li>
 *   <li>unknown properties are ignored (QEMU and Drover both add fields over time);</li>
 *   <li>null and empty-{@code Optional} properties are left out (NON_ABSENT), so "absent" stays absent;</li>
 *   <li>a missing or null value for a Java primitive fails: primitives mark the members that QEMU
 *       (or Drover) always sends, boxed types the optional ones;</li>
 *   <li>trailing content after the JSON value is an error;</li>
 *   <li>deterministic output: record properties in component order, map entries sorted by key.</li>
 * </ul>
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_ABSENT, JsonInclude.Include.ALWAYS))
            .build();

    private Json() {
    }

    /**
     * The shared, thread-safe mapper. Do not reconfigure it: it is shared by every caller in the JVM;
     * use {@code mapper().copy()} for a local variant.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
