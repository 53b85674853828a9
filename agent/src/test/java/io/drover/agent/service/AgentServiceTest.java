package io.drover.agent.service;

import io.drover.agent.qemu.Accel;
import io.drover.broker.EmbeddedKafka;
import io.drover.events.AgentCommand;
import io.drover.events.CommandResult;
import io.drover.events.DroverRecord;
import io.drover.events.HostStatus;
import io.drover.events.RecordTypes;
import io.drover.events.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent as a service against a real Kafka broker and real QEMU. */
class AgentServiceTest {
    /** Partitions of the commands topic: more than one, so that partition assignment matters. */
    static final int COMMAND_PARTITIONS = 3;
    /** Small guests keep two-core test hosts responsive. */
    static final int MEMORY_MIB = 64;

    @TempDir static Path kafkaDir;
    static EmbeddedKafka kafka;
    static final Accel ACCEL = Accel.detect();

    @TempDir Path tmp;
    final List<AgentService> agents = new ArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    CommandBus bus;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(kafkaDir);
        kafka.createTopic(Topics.AGENT_COMMANDS, COMMAND_PARTITIONS);
        kafka.createTopic(Topics.AGENT_RESULTS, 1);
        kafka.createTopic(Topics.HOSTS, 1);
        kafka.createTopic(Topics.AGENT_EVENTS, 1);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(AgentService::close);
        if (bus != null) bus.close();
        Qemus.killAll(tmp);
    }

    AgentService agent(String hostId, String dir) {
        AgentService a = AgentService.start(AgentConfig.of(hostId, kafka.bootstrapServers(), tmp.resolve(dir), ACCEL)
                .withHeartbeatInterval(Duration.ofMillis(300)), lines::add);
        agents.add(a);
        if (bus == null) bus = new CommandBus(kafka.bootstrapServers());
        return a;
    }

    static AgentCommand.DefineVm define(String id, String host, String vm) {
        return new AgentCommand.DefineVm(id, host, vm, MEMORY_MIB, 1, 8L << 20);
    }

    @Test
    void registersThenHeartbeatsOnTheHostsTopic() {
        AgentService a = agent("reg-host", "a");
        DroverRecord<?> reg = bus.await(Topics.HOSTS, r -> r.type().equals(RecordTypes.HOST_REGISTERED)
                && ((HostStatus) r.data()).hostId().equals("reg-host"), 1);
        HostStatus hs = (HostStatus) reg.data();
        assertEquals("drover://host/reg-host", reg.source());
        assertEquals(0, hs.sequence());
        assertTrue(hs.qemuVersion().matches("\\d+\\.\\d+\\.\\d+"), hs.qemuVersion());
        assertTrue(hs.dialect().startsWith("QEMU "), hs.dialect());
        assertEquals(ACCEL.qemuName(), hs.accel());
        assertTrue(hs.memoryMiB() > 0 && hs.vcpus() > 0, hs.toString());
        assertEquals(List.of(), hs.vms());
        HostStatus second = (HostStatus) bus.await(Topics.HOSTS, r -> r.type().equals(RecordTypes.HOST_HEARTBEAT)
                && ((HostStatus) r.data()).hostId().equals("reg-host"), 2).data();
        assertEquals(2, second.sequence());
        assertEquals(hs.agentStarted(), second.agentStarted());
        assertTrue(lines.get(0).startsWith("registered host reg-host"), lines.toString());
        assertEquals(a.config().hostId(), "reg-host");
    }

    @Test
    void aChangeToItsVmsIsReportedSoonNotAtTheNextHeartbeat() throws Exception {
        AgentService a = AgentService.start(AgentConfig.of("now-host", kafka.bootstrapServers(), tmp.resolve("now"), ACCEL)
                .withHeartbeatInterval(Duration.ofHours(1)), lines::add);
        agents.add(a);
        if (bus == null) bus = new CommandBus(kafka.bootstrapServers());
        // An hour between heartbeats: only the commands can have sent these (each CHANGE_REPORT_DELAY after its change;
        // the next command waits for the report, so that the two changes do not share one).
        bus.send(define("now-1", "now-host", "vm-n"));
        assertTrue(bus.result("now-1").ok(), bus.result("now-1").toString());
        HostStatus defined = (HostStatus) bus.await(Topics.HOSTS, r -> r.type().equals(RecordTypes.HOST_HEARTBEAT)
                && r.data() instanceof HostStatus h && h.hostId().equals("now-host")
                && h.vms().equals(List.of(new HostStatus.VmState("vm-n", "stopped", MEMORY_MIB, 1))), 1).data();
        bus.send(new AgentCommand.StartVm("now-2", "now-host", "vm-n"));
        assertTrue(bus.result("now-2").ok(), bus.result("now-2").toString());
        HostStatus running = (HostStatus) bus.await(Topics.HOSTS, r -> r.type().equals(RecordTypes.HOST_HEARTBEAT)
                && r.data() instanceof HostStatus h && h.hostId().equals("now-host")
                && h.vms().equals(List.of(new HostStatus.VmState("vm-n", "running", MEMORY_MIB, 1))), 1).data();
        assertTrue(running.sequence() > defined.sequence(), running + " after " + defined);
    }

    @Test
    void definesStartsListsAndStopsVmsThroughCommands() throws Exception {
        AgentService a = agent("life-host", "a");
        bus.send(define("life-1", "life-host", "vm-1"));
        CommandResult defined = bus.result("life-1");
        assertTrue(defined.ok(), defined.toString());
        assertEquals("define-vm", defined.command());
        assertEquals(List.of(new HostStatus.VmState("vm-1", "stopped", MEMORY_MIB, 1)), a.vms());

        bus.send(new AgentCommand.StartVm("life-2", "life-host", "vm-1"));
        CommandResult started = bus.result("life-2");
        assertTrue(started.ok(), started.toString());
        assertTrue(started.data().path("pid").asLong() > 0, started.toString());
        assertEquals("running", a.vms().get(0).state());
        // The heartbeat lists it too.
        bus.await(Topics.HOSTS, r -> r.data() instanceof HostStatus h && h.hostId().equals("life-host")
                && h.vms().stream().anyMatch(v -> v.vmId().equals("vm-1") && v.state().equals("running")), 1);

        bus.send(new AgentCommand.StartVm("life-3", "life-host", "vm-1"));
        CommandResult twice = bus.result("life-3");
        assertFalse(twice.ok());
        assertTrue(twice.error().contains("already running"), twice.error());

        bus.send(new AgentCommand.StartVm("life-4", "life-host", "vm-nope"));
        CommandResult unknown = bus.result("life-4");
        assertFalse(unknown.ok());
        assertTrue(unknown.error().contains("unknown VM 'vm-nope'"), unknown.error());

        bus.send(new AgentCommand.DefineVm("life-5", "life-host", "vm-tiny", 1, 1, 0));
        CommandResult tiny = bus.result("life-5");
        assertFalse(tiny.ok());
        assertTrue(tiny.error().contains("memoryMiB 1"), tiny.error());
        bus.send(new AgentCommand.DefineVm("life-6", "life-host", "vm-huge", Integer.MAX_VALUE, 1, 0));
        assertTrue(bus.result("life-6").error().contains("capacity"), bus.result("life-6").error());

        bus.send(new AgentCommand.StopVm("life-7", "life-host", "vm-1", false));
        CommandResult stopped = bus.result("life-7");
        assertTrue(stopped.ok(), stopped.toString());
        assertEquals("stopped", a.vms().get(0).state());
        bus.send(new AgentCommand.StopVm("life-8", "life-host", "vm-1", true));
        assertTrue(bus.result("life-8").error().contains("not running"));

        // Started again, then killed.
        bus.send(new AgentCommand.StartVm("life-9", "life-host", "vm-1"));
        assertTrue(bus.result("life-9").ok());
        bus.send(new AgentCommand.StopVm("life-10", "life-host", "vm-1", true));
        assertTrue(bus.result("life-10").ok());
        assertEquals("stopped", a.vms().get(0).state());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("handled start-vm life-2 on vm-1: ok")), lines.toString());
    }

    @Test
    void aRedeliveredCommandIsNeverExecutedTwiceAlsoAcrossARestart() throws Exception {
        AgentService a = agent("dup-host", "a");
        bus.send(define("dup-1", "dup-host", "vm-d"));
        bus.send(new AgentCommand.StartVm("dup-2", "dup-host", "vm-d"));
        CommandResult first = bus.result("dup-2");
        assertTrue(first.ok(), first.toString());
        long pid = first.data().path("pid").asLong();

        bus.send(new AgentCommand.StartVm("dup-2", "dup-host", "vm-d"));
        CommandResult again = bus.result("dup-2", 2);
        assertTrue(again.duplicate(), again.toString());
        assertTrue(again.ok(), "the stored result, not 'already running': " + again);
        assertEquals(first.data(), again.data());
        assertEquals(2, a.executedCommands());

        // A new agent on the same data directory: re-attaches to the running QEMU and remembers the command.
        a.close();
        agents.remove(a);
        AgentService b = agent("dup-host", "a");
        assertEquals(List.of(new HostStatus.VmState("vm-d", "running", MEMORY_MIB, 1)), b.vms());
        bus.send(new AgentCommand.StartVm("dup-2", "dup-host", "vm-d"));
        CommandResult afterRestart = bus.result("dup-2", 3);
        assertTrue(afterRestart.duplicate() && afterRestart.ok(), afterRestart.toString());
        assertEquals(pid, afterRestart.data().path("pid").asLong());
        assertEquals(0, b.executedCommands(), "nothing re-run after the restart");

        // A command that was in progress when an agent died is answered with an error, not re-run.
        new CommandJournal(tmp.resolve("a")).begin("dup-3", "stop-vm");
        bus.send(new AgentCommand.StopVm("dup-3", "dup-host", "vm-d", false));
        CommandResult interrupted = bus.result("dup-3");
        assertFalse(interrupted.ok());
        assertTrue(interrupted.error().contains("interrupted") && interrupted.error().contains("query-migration"),
                interrupted.error());
        assertEquals("running", b.vms().get(0).state(), "the interrupted stop-vm was not run again");
        assertEquals(0, b.executedCommands());
    }

    @Test
    void eachAgentHandlesOnlyItsOwnHostsCommands() throws Exception {
        // Two host ids whose commands share a partition, so each agent sees the other's records and must skip them.
        String hostA = "own-a";
        String hostB = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "own-b" + i)
                .filter(h -> AgentService.partitionFor(h, COMMAND_PARTITIONS) == AgentService.partitionFor(hostA, COMMAND_PARTITIONS))
                .findFirst().orElseThrow();
        AgentService a = agent(hostA, "a");
        AgentService b = agent(hostB, "b");
        bus.send(define("own-1", hostA, "vm-a"));
        bus.send(define("own-2", hostB, "vm-b"));
        bus.send(define("own-3", hostA, "vm-a2"));
        assertEquals(hostA, bus.result("own-1").hostId());
        assertEquals(hostB, bus.result("own-2").hostId());
        assertEquals(hostA, bus.result("own-3").hostId());
        assertEquals(List.of("vm-a", "vm-a2"), a.vms().stream().map(HostStatus.VmState::vmId).toList());
        assertEquals(List.of("vm-b"), b.vms().stream().map(HostStatus.VmState::vmId).toList());
        Map<String, Long> perCommand = bus.all(Topics.AGENT_RESULTS).stream().map(r -> (CommandResult) r.data())
                .filter(r -> r.commandId().startsWith("own-"))
                .collect(Collectors.groupingBy(CommandResult::commandId, Collectors.counting()));
        assertEquals(Map.of("own-1", 1L, "own-2", 1L, "own-3", 1L), perCommand, "one answer per command");
        assertEquals(2, a.executedCommands());
        assertEquals(1, b.executedCommands());
    }

    @Test
    void poisonRecordsAreSkippedWithAClearErrorAndTheNextCommandRuns() throws Exception {
        AgentService a = agent("poison-host", "a");
        bus.sendRaw("poison-host", "this is not JSON".getBytes(StandardCharsets.UTF_8));
        bus.sendRaw("poison-host", ("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"drover://coordinator\","
                + "\"type\":\"io.drover.agent.command\",\"subject\":\"vm-p\",\"time\":\"2026-11-21T20:00:00Z\","
                + "\"datacontenttype\":\"application/json\",\"droverschemaversion\":1,"
                + "\"data\":{\"command\":\"reboot-planet\",\"commandId\":\"poison-1\",\"hostId\":\"poison-host\",\"vmId\":\"vm-p\"}}")
                .getBytes(StandardCharsets.UTF_8));
        bus.send(define("poison-2", "someone-else", "vm-p")); // keyed by someone-else: not ours, skipped silently
        bus.sendRaw("poison-host", com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .writeValueAsBytes(Map.of("type", RecordTypes.AGENT_COMMAND, "data", Map.of())));
        // Keyed for this host but addressed to another.
        DroverRecord<AgentCommand> misrouted = DroverRecord.create(RecordTypes.AGENT_COMMAND, "drover://coordinator", "vm-p",
                java.time.Instant.now(), define("poison-3", "someone-else", "vm-p"));
        bus.sendRaw("poison-host", io.drover.events.Json.mapper().writeValueAsBytes(misrouted));
        bus.send(define("poison-4", "poison-host", "vm-p"));

        CommandResult unknownKind = bus.result("poison-1");
        assertFalse(unknownKind.ok());
        assertTrue(unknownKind.error().contains("unknown command kind 'reboot-planet'"), unknownKind.error());
        CommandResult wrongHost = bus.result("poison-3");
        assertFalse(wrongHost.ok());
        assertTrue(wrongHost.error().contains("command for host 'someone-else'"), wrongHost.error());
        CommandResult next = bus.result("poison-4");
        assertTrue(next.ok(), next.toString());
        assertEquals(1, a.executedCommands());
        assertTrue(lines.stream().anyMatch(l -> l.contains("poison") && l.contains("value is not JSON")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("command kind (member 'command') is missing")), lines.toString());
        assertTrue(bus.all(Topics.AGENT_RESULTS).stream().noneMatch(r -> ((CommandResult) r.data()).commandId().equals("poison-2")));
        assertNotNull(a);
        assertNotEquals(0, lines.size());
    }
}
