package io.drover.coordinator.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.coordinator.host.HostCommand;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationEntity;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.HostStatus;
import io.drover.events.Json;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationRole;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.RecordTypes;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AgentInputsTest {
    static final Instant T = Instant.parse("2026-11-21T20:00:00Z");

    static DroverRecord<?> result(String step, boolean ok, String error, String dataJson) throws Exception {
        JsonNode data = dataJson == null ? null : Json.mapper().readTree(dataJson);
        CommandResult r = new CommandResult(MigrationEntity.commandId("m-1", step), "kvm-2", "vm-42", "x", ok, error, data, false);
        return DroverRecord.create(RecordTypes.COMMAND_RESULT, DroverRecord.hostSource("kvm-2"), "vm-42", T, r);
    }

    static MigrationCommand command(DroverRecord<?> record) {
        AgentInputs.ForMigration m = AgentInputs.migration(record).orElseThrow();
        assertEquals("m-1", m.migrationId());
        return m.command().apply(null);
    }

    @Test
    void resultsFindTheirMigrationByTheCommandId() throws Exception {
        assertEquals(new MigrationCommand.DestinationPrepared("tcp:10.0.0.2:49152", null),
                command(result("prepare-incoming", true, null, "{\"uri\":\"tcp:10.0.0.2:49152\",\"pid\":7}")));
        assertEquals(new MigrationCommand.DestinationPrepareFailed("no port", null),
                command(result("prepare-incoming", false, "no port", null)));
        assertEquals(new MigrationCommand.MigrationStarted(null), command(result("start-migration", true, null, "{}")));
        assertEquals(new MigrationCommand.SourceFailed("start-migration refused: VM 'vm-42' is already migrating", null),
                command(result("start-migration", false, "VM 'vm-42' is already migrating", null)));
        MigrationCommand.Progress p = assertInstanceOf(MigrationCommand.Progress.class, command(result("query-source-17", true, null,
                "{\"vmState\":\"paused\",\"queryMigrate\":{\"status\":\"completed\",\"ram\":{\"remaining\":0}}}")));
        assertEquals(MigrationStatus.COMPLETED, p.info().status());
        assertEquals(T, p.sampledAt());
        assertEquals(new MigrationCommand.DestinationConfirmed(null),
                command(result("query-destination-17", true, null, "{\"vmState\":\"running\"}")));
        assertEquals(new MigrationCommand.DestinationNotRunning("inmigrate", null),
                command(result("query-destination-18", true, null, "{\"vmState\":\"inmigrate\"}")));
        assertEquals(new MigrationCommand.DestinationNotRunning("stopped", null),
                command(result("query-destination-19", true, null, "{\"vmState\":\"stopped\"}")));
        assertEquals(new MigrationCommand.SourceResumed(null), command(result("resume-source", true, null, "{\"resumed\":true}")));
        assertEquals(new MigrationCommand.SourceResumeFailed("went to post-copy", null),
                command(result("resume-source", false, "went to post-copy", null)));
    }

    @Test
    void theAnswersToAnEndedMigrationsCleanUpAreRoutedDoneOrRefused() throws Exception {
        assertEquals(new MigrationCommand.CleanUpAnswered("migration/m-1/retire-source", "kvm-2", true, null, null),
                command(result("retire-source", true, null, "{}")));
        assertEquals(new MigrationCommand.CleanUpAnswered("migration/m-1/stop-destination", "kvm-2", false, "VM 'vm-42' is not running on this host", null),
                command(result("stop-destination", false, "VM 'vm-42' is not running on this host", null)));
    }

    @Test
    void whatNoMigrationWaitsForRoutesNowhere() throws Exception {
        for (String step : List.of("tune-1", "start-postcopy", "cancel")) {
            assertTrue(AgentInputs.migration(result(step, true, null, "{}")).isEmpty(), step);
        }
        assertTrue(AgentInputs.migration(result("query-destination-1", false, "no such VM", null)).isEmpty(), "a failed query says nothing");
        CommandResult other = new CommandResult("define-vm-1", "kvm-1", "vm-1", "define-vm", true, null, null, false);
        assertTrue(AgentInputs.migration(DroverRecord.create(RecordTypes.COMMAND_RESULT, DroverRecord.hostSource("kvm-1"), "vm-1", T, other)).isEmpty());
    }

    @Test
    void sourceSamplesAndOutcomesCarryTheirMigrationId() {
        MigrationInfo info = MigrationInfo.ofStatus(MigrationStatus.ACTIVE, null);
        MigrationSample s = new MigrationSample("m-1", MigrationRole.SOURCE, T, info);
        assertEquals(new MigrationCommand.Progress(info, T, null),
                command(DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, DroverRecord.hostSource("kvm-1"), "vm-42", T, s)));
        MigrationSample dst = new MigrationSample("m-1", MigrationRole.DESTINATION, T, info);
        assertTrue(AgentInputs.migration(DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, DroverRecord.hostSource("kvm-2"), "vm-42", T, dst)).isEmpty());
        MigrationSample dstDone = new MigrationSample("m-1", MigrationRole.DESTINATION, T, MigrationInfo.ofStatus(MigrationStatus.COMPLETED, null));
        assertEquals(new MigrationCommand.DestinationConfirmed(null),
                command(DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, DroverRecord.hostSource("kvm-2"), "vm-42", T, dstDone)));

        MigrationOutcome done = new MigrationOutcome("m-1", "vm-42", MigrationStatus.COMPLETED, 3, 100L, 20L, 1L, "kvm", List.of(), null);
        assertEquals(new MigrationCommand.SourceCompleted(null),
                command(DroverRecord.create(RecordTypes.MIGRATION_OUTCOME, DroverRecord.hostSource("kvm-1"), "vm-42", T, done)));
        MigrationOutcome failed = new MigrationOutcome("m-1", "vm-42", MigrationStatus.FAILED, 3, 100L, null, 1L, "kvm", List.of(), "socket closed");
        assertEquals(new MigrationCommand.SourceFailed("socket closed", null),
                command(DroverRecord.create(RecordTypes.MIGRATION_OUTCOME, DroverRecord.hostSource("kvm-1"), "vm-42", T, failed)));
    }

    @Test
    void registrationsAndHeartbeatsGoToTheirHost() {
        HostStatus s = new HostStatus("kvm-1", "7.2.22", "", "kvm", 1024, 2, List.of(), 0, T);
        AgentInputs.ForHost reg = AgentInputs.host(DroverRecord.create(RecordTypes.HOST_REGISTERED, DroverRecord.hostSource("kvm-1"), "kvm-1", T, s)).orElseThrow();
        assertEquals("kvm-1", reg.hostId());
        assertEquals(new HostCommand.Register(s, null), reg.command().apply(null));
        AgentInputs.ForHost hb = AgentInputs.host(DroverRecord.create(RecordTypes.HOST_HEARTBEAT, DroverRecord.hostSource("kvm-1"), "kvm-1", T, s)).orElseThrow();
        assertEquals(new HostCommand.Heartbeat(s, null), hb.command().apply(null));
    }
}
