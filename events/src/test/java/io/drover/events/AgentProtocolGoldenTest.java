package io.drover.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden tests of the agent command protocol: every command kind, results and host status, both ways. */
class AgentProtocolGoldenTest {

    static final MigrationPolicy POLICY = MigrationPolicy.builder().maxBandwidth(32L << 20).autoConverge(true)
            .sampleInterval(Duration.ofMillis(500)).build();

    @Test
    void defineVm() {
        var c = new AgentCommand.DefineVm("cmd-0001", "kvm-17", "vm-42", 512, 2, 40L << 20);
        assertBothWays("agent-command-define-vm.json", c);
        assertEquals("define-vm", c.command());
    }

    @Test
    void startVm() {
        assertBothWays("agent-command-start-vm.json", new AgentCommand.StartVm("cmd-0002", "kvm-17", "vm-42"));
    }

    @Test
    void stopVm() {
        assertBothWays("agent-command-stop-vm.json", new AgentCommand.StopVm("cmd-0003", "kvm-17", "vm-42", true));
    }

    @Test
    void prepareIncoming() {
        var c = assertBothWays("agent-command-prepare-incoming.json",
                new AgentCommand.PrepareIncoming("cmd-0004", "kvm-18", "vm-42", "mig-0001", 512, 2, POLICY));
        assertEquals(POLICY, ((AgentCommand.PrepareIncoming) c).policy());
    }

    @Test
    void startMigration() {
        assertBothWays("agent-command-start-migration.json",
                new AgentCommand.StartMigration("cmd-0005", "kvm-17", "vm-42", "mig-0001", "tcp:10.0.0.18:49152", POLICY));
    }

    @Test
    void prepareIncomingWithAHandOffToTheSource() {
        var c = (AgentCommand.PrepareIncoming) assertBothWays("agent-command-prepare-incoming-hand-off.json",
                new AgentCommand.PrepareIncoming("cmd-0004", "kvm-18", "vm-42", "mig-0001", 512, 2, POLICY,
                        new AgentCommand.HandOff("kvm-17", "cmd-0008")));
        assertEquals("kvm-17", c.handOff().hostId());
        assertNull(((AgentCommand.PrepareIncoming) assertBothWays("agent-command-prepare-incoming.json",
                new AgentCommand.PrepareIncoming("cmd-0004", "kvm-18", "vm-42", "mig-0001", 512, 2, POLICY))).handOff(),
                "a command without the member has no hand-off");
    }

    @Test
    void anArmedStartMigrationHasNoUriAndDestinationReadyBringsIt() {
        var armed = (AgentCommand.StartMigration) assertBothWays("agent-command-start-migration-armed.json",
                new AgentCommand.StartMigration("cmd-0005", "kvm-17", "vm-42", "mig-0001", null, POLICY));
        assertNull(armed.uri());
        var ready = assertBothWays("agent-command-destination-ready.json",
                new AgentCommand.DestinationReady("cmd-0008", "kvm-17", "vm-42", "mig-0001", "tcp:10.0.0.18:49152"));
        assertEquals("destination-ready", ready.command());
        assertThrows(IllegalArgumentException.class,
                () -> new AgentCommand.DestinationReady("cmd-0008", "kvm-17", "vm-42", "mig-0001", " "));
    }

    @Test
    void tuneMigrationLeavesOutWhatStaysAsItIs() {
        assertBothWays("agent-command-tune-migration.json",
                new AgentCommand.TuneMigration("cmd-0006", "kvm-17", "vm-42", "mig-0001", null, 64L << 20, null, true));
    }

    @Test
    void cancelQueryRetire() {
        assertBothWays("agent-command-cancel-migration.json",
                new AgentCommand.CancelMigration("cmd-0007", "kvm-17", "vm-42", "mig-0001"));
        assertBothWays("agent-command-query-migration.json",
                new AgentCommand.QueryMigration("cmd-0008", "kvm-17", "vm-42", "mig-0001"));
        assertBothWays("agent-command-retire-vm.json", new AgentCommand.RetireVm("cmd-0009", "kvm-17", "vm-42", "mig-0001"));
        var resume = assertBothWays("agent-command-resume-source.json",
                new AgentCommand.ResumeSource("cmd-0010", "kvm-17", "vm-42", "mig-0001"));
        assertEquals("resume-source", resume.command());
        assertThrows(IllegalArgumentException.class, () -> new AgentCommand.ResumeSource("cmd-0010", " ", "vm-42", "mig-0001"));
    }

    @Test
    void commandResults() {
        var ok = new CommandResult("cmd-0004", "kvm-18", "vm-42", "prepare-incoming", true, null,
                JsonNodeFactory.instance.objectNode().put("uri", "tcp:10.0.0.18:49152"), false);
        Golden.assertBothWays("command-result-ok.json", ok, CommandResult.class);
        var dup = new CommandResult("cmd-0002", "kvm-17", "vm-42", "start-vm", false,
                "VM 'vm-42' is already running on this host", null, true);
        Golden.assertBothWays("command-result-error-duplicate.json", dup, CommandResult.class);
    }

    @Test
    void hostStatus() {
        var hs = new HostStatus("kvm-17", "7.2.22",
                "QEMU 7.2.22 (231 commands, 22 migration capabilities, 33 migration parameters, from query-qmp-schema)",
                "kvm", 15872, 8, List.of(new HostStatus.VmState("vm-42", "running", 512, 2),
                new HostStatus.VmState("vm-43", "stopped", 256, 1)), 7, Instant.parse("2026-11-21T19:40:00.123Z"));
        Golden.assertBothWays("host-status.json", hs, HostStatus.class);
    }

    /** The command as the data of a Drover record, through the Kafka serializer and deserializer: the kind survives. */
    @Test
    void commandRecordThroughKafkaSerdes() {
        DroverRecord<AgentCommand> rec = new DroverRecord<>(DroverRecord.SPEC_VERSION, "0b8e1c52-8f3e-4d55-9c61-1e2f9f3a7d20",
                "drover://coordinator", RecordTypes.AGENT_COMMAND, "vm-42", Instant.parse("2026-11-21T19:45:18Z"),
                DroverRecord.DATA_CONTENT_TYPE, 1, new AgentCommand.StartVm("cmd-0002", "kvm-17", "vm-42"));
        byte[] bytes = new DroverRecordSerializer().serialize(Topics.AGENT_COMMANDS, rec);
        Golden.assertSameJson(Golden.tree("record-agent-command.json"), Golden.parse(new String(bytes, StandardCharsets.UTF_8)));
        DroverRecord<?> back = new DroverRecordDeserializer().deserialize(Topics.AGENT_COMMANDS,
                Golden.text("record-agent-command.json").getBytes(StandardCharsets.UTF_8));
        assertEquals(rec, back);
        assertInstanceOf(AgentCommand.StartVm.class, back.data());
    }

    @Test
    void unknownKindAndMissingIdsFailNamingWhatIsWrong() {
        Exception unknown = assertThrows(Exception.class, () -> Golden.MAPPER.readValue(
                "{\"command\": \"reboot-planet\", \"commandId\": \"c\", \"hostId\": \"h\", \"vmId\": \"v\"}", AgentCommand.class));
        assertTrue(unknown.getMessage().contains("reboot-planet"), unknown.getMessage());
        Exception missing = assertThrows(Exception.class, () -> Golden.MAPPER.readValue(
                "{\"command\": \"start-vm\", \"hostId\": \"h\", \"vmId\": \"v\"}", AgentCommand.class));
        assertTrue(missing.getMessage().contains("commandId"), missing.getMessage());
    }

    private static AgentCommand assertBothWays(String name, AgentCommand expected) {
        AgentCommand parsed = Golden.read(name, AgentCommand.class);
        assertEquals(expected, parsed, "parsed " + name);
        Golden.assertSameJson(Golden.tree(name), Golden.written(expected));
        // Also when the declared type is the interface, as in a list or a field.
        Golden.assertSameJson(Golden.tree(name), Golden.MAPPER.valueToTree(List.of(expected)).get(0));
        return parsed;
    }
}
