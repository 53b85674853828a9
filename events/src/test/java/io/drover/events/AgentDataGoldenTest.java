package io.drover.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden tests of the agent's own data types. */
class AgentDataGoldenTest {

    static final MigrationSample SAMPLE = new MigrationSample("mig-0001", MigrationRole.DESTINATION,
            Instant.parse("2026-11-21T19:45:20.700Z"), QemuTypesGoldenTest.DESTINATION_ACTIVE);

    static final MigrationOutcome COMPLETED = new MigrationOutcome("mig-0001", "vm-42", MigrationStatus.COMPLETED,
            3, 2813L, 1L, 1062278L, "kvm", List.of(MigrationCapability.XBZRLE, MigrationCapability.AUTO_CONVERGE), null);

    @Test
    void migrationSample() {
        MigrationSample parsed = Golden.assertBothWays("migration-sample.json", SAMPLE, MigrationSample.class);
        assertSame(MigrationRole.DESTINATION, parsed.role());
        assertEquals(Instant.parse("2026-11-21T19:45:20.700Z"), parsed.sampledAt());
        assertSame(MigrationStatus.ACTIVE, parsed.info().status());
    }

    @Test
    void migrationOutcomeCompleted() {
        MigrationOutcome parsed = Golden.assertBothWays("migration-outcome-completed.json", COMPLETED,
                MigrationOutcome.class);
        assertEquals(3, parsed.passes());
        assertEquals(1L, parsed.downtimeMs());
        assertEquals(List.of(MigrationCapability.XBZRLE, MigrationCapability.AUTO_CONVERGE), parsed.capabilities());
        assertEquals("kvm", parsed.accel());
    }

    @Test
    void migrationOutcomeFailed() {
        MigrationOutcome expected = new MigrationOutcome("mig-0002", "vm-42", MigrationStatus.FAILED, 0, null, null,
                null, "tcg", List.of(), "Failed to connect to '127.0.0.1:1': Connection refused");
        MigrationOutcome parsed = Golden.assertBothWays("migration-outcome-failed.json", expected,
                MigrationOutcome.class);
        assertTrue(parsed.status().isTerminal());
        assertEquals(null, parsed.totalTimeMs());
    }

    @Test
    void requiredMembersAreRequired() {
        assertThrows(Exception.class, () -> Golden.MAPPER.readValue(
                "{\"migrationId\": \"m\", \"vmId\": \"v\", \"status\": \"completed\"}", MigrationOutcome.class),
                "passes is mandatory");
        assertThrows(Exception.class, () -> Golden.MAPPER.readValue(
                "{\"migrationId\": \"m\", \"role\": \"source\", \"sampledAt\": \"2026-01-01T00:00:00Z\"}",
                MigrationSample.class), "info is mandatory");
    }
}
