package io.drover.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenEnumTest {

    static Stream<Arguments> enums() {
        return Stream.of(
                enumCase("enum-migration-status.json", MigrationStatus.class, MigrationStatus.values(),
                        MigrationStatus::of),
                enumCase("enum-migration-capability.json", MigrationCapability.class, MigrationCapability.values(),
                        MigrationCapability::of),
                enumCase("enum-migration-parameter.json", MigrationParameter.class, MigrationParameter.values(),
                        MigrationParameter::of),
                enumCase("enum-job-status.json", JobStatus.class, JobStatus.values(), JobStatus::of),
                enumCase("enum-job-type.json", JobType.class, JobType.values(), JobType::of),
                enumCase("enum-colo-mode.json", ColoMode.class, ColoMode.values(), ColoMode::of),
                enumCase("enum-colo-exit-reason.json", ColoExitReason.class, ColoExitReason.values(),
                        ColoExitReason::of),
                enumCase("enum-colo-message.json", ColoMessage.class, ColoMessage.values(), ColoMessage::of),
                enumCase("enum-failover-status.json", FailoverStatus.class, FailoverStatus.values(),
                        FailoverStatus::of),
                enumCase("enum-run-state.json", RunState.class, RunState.values(), RunState::of),
                enumCase("enum-multifd-compression.json", MultiFdCompression.class, MultiFdCompression.values(),
                        MultiFdCompression::of),
                enumCase("enum-migration-role.json", MigrationRole.class, MigrationRole.values(), MigrationRole::of));
    }

    private static <E extends OpenEnum<E>> Arguments enumCase(String golden, Class<E> type, List<E> values,
                                                               Function<String, E> of) {
        return Arguments.of(golden, type, values, of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("enums")
    <E extends OpenEnum<E>> void knownValuesMatchGoldenBothWays(String golden, Class<E> type, List<E> values,
                                                                 Function<String, E> of) throws Exception {
        Golden.assertSameJson(Golden.tree(golden), Golden.written(values));

        List<E> parsed = Golden.MAPPER.readerForListOf(type).readValue(Golden.text(golden));
        assertEquals(values, parsed);
        for (int i = 0; i < values.size(); i++) {
            assertSame(values.get(i), parsed.get(i), "known values parse to their constant");
            assertTrue(parsed.get(i).isKnown());
            assertSame(values.get(i), of.apply(values.get(i).raw()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("enums")
    <E extends OpenEnum<E>> void unknownValueIsKeptAndRoundTrips(String golden, Class<E> type, List<E> values,
                                                                  Function<String, E> of) throws Exception {
        E unknown = of.apply("from-qemu-99");
        assertFalse(unknown.isKnown());
        assertEquals("from-qemu-99", unknown.raw());
        assertEquals("from-qemu-99", unknown.toString());
        assertEquals(of.apply("from-qemu-99"), unknown);
        assertEquals(of.apply("from-qemu-99").hashCode(), unknown.hashCode());
        assertFalse(values.contains(unknown));
        assertNull(of.apply(null));

        String json = Golden.MAPPER.writeValueAsString(unknown);
        assertEquals("\"from-qemu-99\"", json);
        E back = Golden.MAPPER.readValue(json, type);
        assertEquals(unknown, back);
        assertFalse(back.isKnown());
    }

    @Test
    void equalityIsPerType() {
        assertNotEquals(ColoMode.NONE, ColoExitReason.NONE);
        assertNotEquals(MigrationStatus.of("x"), JobStatus.of("x"));
        assertEquals(MigrationStatus.COMPLETED, MigrationStatus.of("completed"));
    }

    @Test
    void openEnumsAreSortedMapKeys() throws Exception {
        Map<MigrationCapability, Boolean> caps = Golden.MAPPER.readValue(
                "{\"xbzrle\": true, \"events\": true, \"teleport\": false}",
                new TypeReference<Map<MigrationCapability, Boolean>>() { });
        assertEquals(Boolean.TRUE, caps.get(MigrationCapability.XBZRLE));
        assertEquals(Boolean.FALSE, caps.get(MigrationCapability.of("teleport")));
        assertEquals("{\"events\":true,\"teleport\":false,\"xbzrle\":true}",
                Golden.MAPPER.writeValueAsString(new HashMap<>(caps)));
        assertTrue(MigrationStatus.ACTIVE.compareTo(MigrationStatus.SETUP) < 0, "by raw string");
    }

    @Test
    void legacyColoModeUnknownIsAKnownValue() {
        assertSame(ColoMode.LEGACY_UNKNOWN, ColoMode.of("unknown"));
        assertTrue(ColoMode.LEGACY_UNKNOWN.isKnown());
    }

    @Test
    void jobStatusNullIsAString() throws Exception {
        assertSame(JobStatus.NULL, Golden.MAPPER.readValue("\"null\"", JobStatus.class));
        assertNull(Golden.MAPPER.readValue("null", JobStatus.class));
    }

    @Test
    void migrationStatusPredicates() {
        List<MigrationStatus> terminal = List.of(MigrationStatus.COMPLETED, MigrationStatus.FAILED,
                MigrationStatus.CANCELLED);
        List<MigrationStatus> postcopy = List.of(MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED,
                MigrationStatus.POSTCOPY_RECOVER_SETUP, MigrationStatus.POSTCOPY_RECOVER);
        for (MigrationStatus s : MigrationStatus.values()) {
            assertEquals(terminal.contains(s), s.isTerminal(), s + ".isTerminal");
            assertEquals(postcopy.contains(s), s.isPostcopy(), s + ".isPostcopy");
            assertEquals(s != MigrationStatus.NONE && !terminal.contains(s), s.isActive(), s + ".isActive");
        }
        MigrationStatus unknown = MigrationStatus.of("teleporting");
        assertFalse(unknown.isTerminal());
        assertFalse(unknown.isActive());
        assertFalse(unknown.isPostcopy());
        assertTrue(MigrationStatus.SETUP.isActive());
        assertTrue(MigrationStatus.PRE_SWITCHOVER.isActive());
    }

    @Test
    void unknownValueInsideARecordSurvives() throws Exception {
        MigrationInfo info = Golden.MAPPER.readValue("{\"status\": \"postcopy-teleport\"}", MigrationInfo.class);
        assertFalse(info.status().isKnown());
        assertEquals("postcopy-teleport", info.status().raw());
        JsonNode back = Golden.written(info);
        assertEquals("postcopy-teleport", back.get("status").asText());
    }
}
