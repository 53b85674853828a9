package io.drover.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden-file support: files under {@code src/test/resources/golden/}, hand-written from QEMU's real JSON
 * (QEMU 7.2 output and the 2017 QAPI examples) and from Drover's contract.
 *
 * <p>JSON is compared as trees, with numbers compared by value: QEMU writes whole numbers for its
 * {@code number} members ({@code "cache-miss-rate": 0}) where Java writes {@code 0.0}.
 */
final class Golden {

    static final ObjectMapper MAPPER = Json.mapper();

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private Golden() {
    }

    static String text(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "missing golden file " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String name) {
        return parse(text(name));
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value serialised as it goes on the wire, read back as a tree. */
    static JsonNode written(Object value) {
        try {
            return MAPPER.readTree(MAPPER.writeValueAsString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String name, Class<T> type) {
        try {
            return MAPPER.readValue(text(name), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String name, TypeReference<T> type) {
        try {
            return MAPPER.readValue(text(name), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertSameJson(JsonNode expected, JsonNode actual) {
        assertTrue(expected.equals(NUMBERS_BY_VALUE, actual),
                () -> "JSON differs.\nexpected: " + expected + "\nactual:   " + actual);
    }

    /** Golden to Java equals {@code expected}, and {@code expected} to JSON equals the golden tree. */
    static <T> T assertBothWays(String name, T expected, Class<T> type) {
        T parsed = read(name, type);
        assertEquals(expected, parsed, "parsed " + name);
        assertSameJson(tree(name), written(expected));
        return parsed;
    }

    /** As {@link #assertBothWays(String, Object, Class)}, for generic types such as lists. */
    static <T> T assertBothWays(String name, T expected, TypeReference<T> type) {
        T parsed = read(name, type);
        assertEquals(expected, parsed, "parsed " + name);
        assertSameJson(tree(name), written(expected));
        return parsed;
    }
}
