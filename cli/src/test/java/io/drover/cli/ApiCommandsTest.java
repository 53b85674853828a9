package io.drover.cli;

import io.drover.coordinator.Coordinator;
import io.drover.coordinator.testing.CoordinatorFixture;
import io.drover.coordinator.migration.MigrationCommand;
import io.drover.coordinator.migration.MigrationSummary;
import io.drover.events.HostStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The client commands (migrate, show, cancel, hosts, vms) against a real coordinator's API: exit codes and output. */
class ApiCommandsTest {
    static CoordinatorFixture fixture;
    static Coordinator coordinator;
    static String base;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        fixture = CoordinatorFixture.start("drover_cliapi", command -> { });
        coordinator = fixture.coordinator();
        base = fixture.base();
        fixture.register("kvm-1", List.of(new HostStatus.VmState("vm-1", "running", 512, 1),
                new HostStatus.VmState("vm-2", "running", 512, 1), new HostStatus.VmState("vm-3", "running", 1024, 2),
                new HostStatus.VmState("vm-4", "running", 512, 1)));
        fixture.register("kvm-2", List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    static DroverCliTest.Run drover(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--api", base));
        return DroverCliTest.run(argv.toArray(String[]::new));
    }

    static String migrationId(String out) {
        Matcher m = Pattern.compile("migration (m-[0-9a-f]+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void hostsAndVmsAreListed() {
        DroverCliTest.Run hosts = drover("hosts");
        assertEquals(0, hosts.exit(), hosts.err());
        assertTrue(hosts.out().startsWith("HOST"), hosts.out());
        assertTrue(hosts.out().contains("kvm-1") && hosts.out().contains("UP") && hosts.out().contains("7.2.22"), hosts.out());
        DroverCliTest.Run vms = drover("vms");
        assertEquals(0, vms.exit(), vms.err());
        assertTrue(vms.out().lines().anyMatch(l -> l.startsWith("vm-3") && l.contains("kvm-1") && l.contains("1024 MiB")), vms.out());
    }

    @Test
    void migrateShowCancelAndWatch() throws Exception {
        DroverCliTest.Run m = drover("migrate", "vm-1", "--to", "kvm-2", "--downtime-limit", "400", "--auto-converge",
                "--downtime-steps", "1", "--stall-timeout", "60");
        assertEquals(0, m.exit(), m.err());
        String id = migrationId(m.out());
        assertTrue(m.out().contains(": vm-1 from kvm-1 to kvm-2 (PREPARING)"), m.out());

        DroverCliTest.Run again = drover("migrate", "vm-1", "--to", "kvm-2");
        assertEquals(2, again.exit());
        assertTrue(again.err().startsWith("drover: VM vm-1 is already migrating (" + id), again.err());
        assertTrue(again.err().contains("(field: vmId)"), again.err());

        DroverCliTest.Run show = drover("show", id);
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().contains("TIME") && show.out().contains("EVENT") && show.out().contains("REASON"), show.out());
        assertTrue(show.out().contains("MigrationRequested"), show.out());
        String shownJson = drover("show", id, "--json").out().replaceAll("\\s", "");
        assertTrue(shownJson.contains("\"downtimeSteps\":1,") && shownJson.contains("\"stallTimeout\":\"PT1M\""), shownJson);

        DroverCliTest.Run cancel = drover("cancel", id, "--reason", "maintenance window over");
        assertEquals(0, cancel.exit(), cancel.err());
        assertTrue(cancel.out().startsWith("migration " + id + ": "), cancel.out());
        DroverCliTest.Run shown = drover("show", id);
        assertTrue(shown.out().contains("maintenance window over"), shown.out());
        assertTrue(shown.out().contains("CANCELLING"), "cancelled through the source, which may have heard from the destination: " + shown.out());
        tell(id, r -> new MigrationCommand.SourceFailed("cancelled before the destination listened; nothing was migrated", r));

        // --watch follows a migration to its end; a cancelled one exits 1.
        ApiClient client = new ApiClient(base);
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        assertEquals(1, ApiCommands.Watch.follow(client, id, 50, false, new java.io.PrintStream(buf, true)));
        assertTrue(buf.toString().contains(id + "  CANCELLED"), buf.toString());
    }

    static void tell(String id, java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<org.apache.pekko.pattern.StatusReply<MigrationSummary>>, MigrationCommand> c) throws Exception {
        coordinator.migration(id).askWithStatus(c::apply, Duration.ofSeconds(20)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void watchFollowsAMigrationToCompletedAndExitsZero() throws Exception {
        ApiClient client = new ApiClient(base);
        var body = io.drover.events.Json.mapper().createObjectNode().put("vmId", "vm-4").put("to", "kvm-2");
        String id = client.post("/api/migrations", body).get("migrationId").asText();
        // The agents' answers, as the inbox would pass them on, while the watch runs.
        java.util.concurrent.CompletableFuture<Void> agents = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(300);
                tell(id, r -> new MigrationCommand.DestinationPrepared("tcp:127.0.0.1:49152", r));
                tell(id, MigrationCommand.MigrationStarted::new);
                Thread.sleep(200);
                tell(id, MigrationCommand.SourceCompleted::new);
                tell(id, MigrationCommand.DestinationConfirmed::new);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        assertEquals(0, ApiCommands.Watch.follow(client, id, 50, false, new java.io.PrintStream(buf, true)), buf.toString());
        agents.get(20, TimeUnit.SECONDS);
        List<String> lines = buf.toString().lines().toList();
        assertEquals(id + "  PREPARING", lines.get(0));
        assertTrue(lines.contains(id + "  MIGRATING"), lines.toString());
        assertEquals(id + "  COMPLETED", lines.get(lines.size() - 1));
    }

    @Test
    void aPolicyFileIsSentAndItsProblemsNamed() throws Exception {
        Path good = Files.writeString(tmp.resolve("policy.yaml"), "downtimeLimitMs: 500\nautoConverge: true\n");
        DroverCliTest.Run ok = drover("migrate", "vm-2", "--to", "kvm-2", "--policy", good.toString(), "--json");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("\"vmId\":\"vm-2\""), ok.out());

        Path bad = Files.writeString(tmp.resolve("policy.json"), "{\"postcopy\": true, \"multifd\": true}");
        DroverCliTest.Run refused = drover("migrate", "vm-3", "--to", "kvm-2", "--policy", bad.toString());
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains("post-copy and multifd cannot be combined"), refused.err());
        assertTrue(refused.err().contains("(field: policy)"), refused.err());

        Path unknown = Files.writeString(tmp.resolve("turbo.json"), "{\"turbo\": true}");
        DroverCliTest.Run turbo = drover("migrate", "vm-3", "--to", "kvm-2", "--policy", unknown.toString());
        assertEquals(2, turbo.exit());
        assertTrue(turbo.err().contains("(field: policy.turbo)"), turbo.err());

        DroverCliTest.Run ladderBoth = drover("migrate", "vm-3", "--to", "kvm-2", "--policy", good.toString(), "--stall-timeout", "5");
        assertEquals(2, ladderBoth.exit());
        assertTrue(ladderBoth.err().contains("--policy cannot be combined with policy flags (--stall-timeout)"), ladderBoth.err());
        DroverCliTest.Run both = drover("migrate", "vm-3", "--to", "kvm-2", "--policy", good.toString(), "--xbzrle");
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--policy cannot be combined with policy flags (--xbzrle)"), both.err());
    }

    @Test
    void apiErrorsArePrintedAndExitNonZero() throws Exception {
        DroverCliTest.Run vm = drover("migrate", "vm-nope", "--to", "kvm-2");
        assertEquals(2, vm.exit());
        assertEquals("drover: unknown VM vm-nope: no registered host reports it (field: vmId)", vm.err().strip());
        DroverCliTest.Run host = drover("migrate", "vm-3", "--to", "kvm-9");
        assertEquals(2, host.exit());
        assertEquals("drover: unknown host kvm-9 (field: to)", host.err().strip());
        DroverCliTest.Run same = drover("migrate", "vm-3", "--to", "kvm-1");
        assertEquals(2, same.exit());
        DroverCliTest.Run show = drover("show", "m-nope");
        assertEquals(2, show.exit());
        assertTrue(show.err().contains("unknown migration m-nope"), show.err());
        DroverCliTest.Run cancel = drover("cancel", "m-nope");
        assertEquals(2, cancel.exit());
        DroverCliTest.Run missingTo = drover("migrate", "vm-3");
        assertEquals(2, missingTo.exit());
        assertTrue(missingTo.err().contains("Missing required option: '--to=HOST'"), missingTo.err());

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        DroverCliTest.Run down = DroverCliTest.run("hosts", "--api", "http://127.0.0.1:" + closed);
        assertEquals(1, down.exit());
        assertTrue(down.err().startsWith("drover: cannot reach the coordinator's API at http://127.0.0.1:" + closed), down.err());
    }
}
