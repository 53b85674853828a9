package io.drover.coordinator.audit;

import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.HostStatus;
import io.drover.events.MigrationEvent;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationPolicy;
import io.drover.events.MigrationRole;
import io.drover.events.MigrationSample;
import io.drover.events.MigrationStatus;
import io.drover.events.QmpEventData;
import io.drover.events.RecordTypes;
import io.drover.events.StopEvent;
import io.drover.events.Topics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Records of every kind the audit log sees, with the ids it should extract from each. */
final class SampleRecords {
    static final String COORDINATOR_SOURCE = "drover://coordinator";

    /** A record, the topic it goes to, and the VM, host and migration ids expected in the audit log. */
    record Sample(String topic, DroverRecord<?> record, String vmId, String hostId, String migrationId) {
        String key() {
            return record.type().startsWith(AuditEntry.HOST_TYPE_PREFIX) || topic.equals(Topics.AGENT_COMMANDS)
                    || topic.equals(Topics.AGENT_RESULTS) ? hostId : record.subject();
        }
    }

    private SampleRecords() {
    }

    /** One of each kind, for one VM on one host in one migration, a second apart from {@code start}. */
    static List<Sample> oneOfEach(String vm, String host, String migration, Instant start) {
        String source = DroverRecord.hostSource(host);
        Instant t = start;
        return List.of(
                new Sample(Topics.AGENT_EVENTS, DroverRecord.qmpEvent(source, vm, t,
                        new QmpEventData(t, new MigrationEvent(MigrationStatus.ACTIVE))), vm, host, null),
                new Sample(Topics.AGENT_EVENTS, DroverRecord.qmpEvent(source, vm, t = t.plusSeconds(1),
                        new QmpEventData(t, new StopEvent())), vm, host, null),
                new Sample(Topics.AGENT_EVENTS, DroverRecord.create(RecordTypes.MIGRATION_SAMPLE, source, vm,
                        t = t.plusSeconds(1), new MigrationSample(migration, MigrationRole.SOURCE, t,
                                MigrationInfo.ofStatus(MigrationStatus.ACTIVE, null))), vm, host, migration),
                new Sample(Topics.AGENT_EVENTS, DroverRecord.create(RecordTypes.MIGRATION_OUTCOME, source, vm,
                        t = t.plusSeconds(1), new MigrationOutcome(migration, vm, MigrationStatus.COMPLETED, 3,
                                1200L, 15L, 1L << 30, "kvm", List.of(), null)), vm, host, migration),
                new Sample(Topics.AGENT_COMMANDS, DroverRecord.create(RecordTypes.AGENT_COMMAND, COORDINATOR_SOURCE, vm,
                        t = t.plusSeconds(1), new AgentCommand.StartMigration("cmd-" + migration, host, vm, migration,
                                "tcp:10.0.0.2:4444", MigrationPolicy.defaults())), vm, host, migration),
                new Sample(Topics.AGENT_RESULTS, DroverRecord.create(RecordTypes.COMMAND_RESULT, source, vm,
                        t = t.plusSeconds(1), new CommandResult("cmd-" + migration, host, vm, "start-migration", true,
                                null, null, false)), vm, host, null),
                new Sample(Topics.HOSTS, DroverRecord.create(RecordTypes.HOST_HEARTBEAT, source, host,
                        t = t.plusSeconds(1), new HostStatus(host, "7.2.22", "qmp 2017", "kvm", 4096, 4,
                                List.of(new HostStatus.VmState(vm, "running", 512, 1)), 7, start)), null, host, null),
                new Sample(Topics.COORDINATOR_DECISIONS, new io.drover.events.CoordinatorDecision(migration, 5, vm, host, "kvm-dst",
                        "PostcopySwitchRequested", "MIGRATING", "POSTCOPY", "pass 12: not converging, switching to post-copy",
                        null).record(COORDINATOR_SOURCE, t.plusSeconds(1)), vm, null, migration));
    }

    /** {@code n} QMP MIGRATION events of one VM, a millisecond apart. */
    static List<Sample> events(String vm, String host, int n, Instant start) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> {
            Instant t = start.plus(Duration.ofMillis(i));
            return new Sample(Topics.AGENT_EVENTS, DroverRecord.qmpEvent(DroverRecord.hostSource(host), vm, t,
                    new QmpEventData(t, new MigrationEvent(MigrationStatus.ACTIVE))), vm, host, null);
        }).toList();
    }
}
