package io.drover.cli;

import io.drover.agent.engine.MigrationListener;
import io.drover.events.MigrationPolicy;
import io.drover.agent.engine.MigrationRun;
import io.drover.agent.engine.Side;
import io.drover.agent.guest.ConsistencyCheck;
import io.drover.agent.kafka.AgentPublisher;
import io.drover.agent.local.LocalMigration;
import io.drover.agent.qemu.QemuProcess;
import io.drover.events.Json;
import io.drover.events.MigrationInfo;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code drover local-migrate}: two real QEMUs on this host, the dirtying guest in the source, a
 * migration between them under the given policy, a live line per pass and a summary.
 */
@Command(name = "local-migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boot a test VM and live-migrate it between two QEMU processes on this host.")
final class LocalMigrateCommand implements Callable<Integer> {
    /** A migration that has not finished after this long is stuck, whatever the policy. */
    static final Duration HARD_LIMIT = Duration.ofHours(1);

    @Mixin VmOptions vm;
    @Mixin PolicyOptions policy;
    @Mixin KafkaOptions kafka;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the VMs, logs and state live (default: .drover/runs/<time>).")
    Path workDir;

    @Option(names = "--recover", paramLabel = "DIR", description = "Re-attach to the migration in DIR whose agent died, and follow it to the end.")
    Path recoverDir;

    @Option(names = "--keep-vms", description = "Leave both QEMUs running at the end.")
    boolean keepVms;

    @Option(names = "--json", description = "Print one JSON object with the result as the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        MigrationPolicy p = policy.toPolicy();
        Path dir = recoverDir != null ? recoverDir : workDir != null ? workDir
                : Path.of(".drover", "runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (recoverDir != null && !Files.isDirectory(recoverDir)) {
            throw new IllegalArgumentException("--recover: " + recoverDir + " is not a directory");
        }
        try (KafkaOptions.Session k = kafka.open(dir)) {
            // Ctrl-C or SIGTERM: the QEMUs are daemonized and would outlive us; stop them unless asked to keep them.
            List<QemuProcess> qemus = new CopyOnWriteArrayList<>();
            Thread stopVms = new Thread(() -> {
                if (!keepVms) qemus.forEach(QemuProcess::kill);
            }, "drover-stop-vms");
            Runtime.getRuntime().addShutdownHook(stopVms);
            LocalMigration m;
            if (recoverDir != null) {
                m = LocalMigration.reattach(recoverDir);
                qemus.addAll(List.of(m.source(), m.destination()));
                out.printf("re-attached to %s (%s), phase %s%n", m.state().vmId(), m.state().migrationId(), m.state().phase());
            } else {
                var accel = vm.accel();
                out.printf("booting %s (%d MiB, %d vCPU, %s, guest dirtying %s) in %s%n", vm.vmId, vm.memoryMiB, vm.vcpus,
                        accel, vm.describeDirtyRate(), dir);
                m = LocalMigration.prepare(dir, vm.vmId, vm.memoryMiB, vm.vcpus, vm.guest(), p, accel, qemus::add);
            }
            MigrationOutcome o;
            ConsistencyCheck.Result check = null;
            try {
                AgentPublisher pub = k.publisher();
                if (pub != null) {
                    pub.attach(m.state().vmId(), "source", m.sourceEndpoint().qmp());
                    pub.attach(m.state().vmId(), "destination", m.destinationEndpoint().qmp());
                }
                MigrationListener progress = new ProgressPrinter(out);
                MigrationListener listener = pub == null ? progress
                        : MigrationListener.all(progress, pub.forMigration(m.state().vmId(), m.state().migrationId()));
                MigrationRun run = recoverDir != null ? m.resume(listener) : m.start(listener);
                o = run.await(HARD_LIMIT);
                if (!MigrationStatus.NONE.equals(o.status())) {
                    check = m.checkConsistency(o);
                }
            } finally {
                Runtime.getRuntime().removeShutdownHook(stopVms);
                if (keepVms) m.detach();
                else m.close();
            }
            printSummary(out, o, check, k);
            return MigrationStatus.COMPLETED.equals(o.status()) && (check == null || check.consistent()) ? 0 : 1;
        }
    }

    private void printSummary(PrintStream out, MigrationOutcome o, ConsistencyCheck.Result check, KafkaOptions.Session k) throws Exception {
        out.println();
        out.printf("%-13s %s%n", "status", o.status().raw() + (o.errorDesc() != null ? " (" + o.errorDesc() + ")" : ""));
        out.printf("%-13s %d%n", "passes", o.passes());
        out.printf("%-13s %.2f s%n", "total time", o.totalTimeMs() / 1000.0);
        out.printf("%-13s %s%n", "downtime", o.downtimeMs() == null ? "-" : o.downtimeMs() + " ms");
        out.printf("%-13s %s%n", "transferred", o.transferredBytes() == null ? "-" : Sizes.bytes(o.transferredBytes()));
        out.printf("%-13s %s%n", "accel", o.accel().toUpperCase());
        if (check != null) {
            out.printf("%-13s %s%n", "consistency", (check.consistent() ? "" : "BROKEN: ") + check.explanation());
        }
        if (k.publisher() != null) {
            k.publisher().flush();
            out.printf("%-13s %d records to %s at %s%n", "kafka", k.publisher().acknowledged(), k.publisher().topic(), k.bootstrap());
        }
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("status", o.status().raw());
            j.put("passes", o.passes());
            j.put("totalTimeMs", o.totalTimeMs());
            j.put("downtimeMs", o.downtimeMs());
            j.put("transferredBytes", o.transferredBytes());
            j.put("accel", o.accel());
            j.put("migrationId", o.migrationId());
            j.put("consistent", check == null ? null : check.consistent());
            j.put("errorDesc", o.errorDesc());
            out.println(Json.mapper().writeValueAsString(j));
        }
    }

    /**
     * A line per pass and per decision; on a terminal, also one live line redrawn from every
     * sample (transferred, rate, remaining, throttle), so that a long pass is not silent.
     */
    static final class ProgressPrinter implements MigrationListener {
        private final PrintStream out;
        private final boolean live;
        private boolean liveShown;

        ProgressPrinter(PrintStream out) {
            this(out, System.console() != null);
        }

        ProgressPrinter(PrintStream out, boolean live) {
            this.out = out;
            this.live = live;
        }

        @Override
        public void onPass(long pass, MigrationInfo info) {
            println(passLine(pass, info));
        }

        @Override
        public void onSample(Side side, MigrationInfo info) {
            if (live && info.ram() != null) {
                out.print("\r\033[K" + sampleLine(info));
                out.flush();
                liveShown = true;
            }
        }

        @Override
        public void onDecision(String decision, String reason) {
            println(String.format("  -> %s: %s", decision, reason));
        }

        @Override
        public void onQmpEvent(Side side, io.drover.agent.qmp.QmpEvent event) {
            if (event.name().equals("MIGRATION")) {
                println(String.format("  %-11s %s", side.label(), event.data().path("status").asText()));
            }
        }

        private void println(String line) {
            if (liveShown) {
                out.print("\r\033[K");
                liveShown = false;
            }
            out.println(line);
        }

        static String passLine(long pass, MigrationInfo info) {
            var ram = info == null ? null : info.ram();
            String remaining = ram == null || ram.remaining() == null ? "-" : Sizes.bytes(ram.remaining());
            String dirty = ram == null || ram.dirtyPagesRate() == null ? "-"
                    : Sizes.rate((double) ram.dirtyPagesRate() * (ram.pageSize() == null ? 4096 : ram.pageSize()));
            return String.format("pass %3d  remaining %11s  dirty %13s  throttle %4s  expected downtime %s",
                    pass, remaining, dirty, throttle(info), expectedDowntime(info));
        }

        static String sampleLine(MigrationInfo info) {
            var ram = info.ram();
            String rate = ram.mbps() == null ? "-" : Sizes.rate(ram.mbps() * 1_000_000 / 8);
            return String.format("  %-9s %9.1f s  sent %11s at %13s  remaining %11s  throttle %4s  expected downtime %s",
                    info.status() == null ? "" : info.status().raw(), (info.totalTime() == null ? 0 : info.totalTime()) / 1000.0,
                    ram.transferred() == null ? "-" : Sizes.bytes(ram.transferred()), rate,
                    ram.remaining() == null ? "-" : Sizes.bytes(ram.remaining()), throttle(info), expectedDowntime(info));
        }

        private static String throttle(MigrationInfo info) {
            return info == null || info.cpuThrottlePercentage() == null ? "0%" : info.cpuThrottlePercentage() + "%";
        }

        private static String expectedDowntime(MigrationInfo info) {
            return info == null || info.expectedDowntime() == null ? "-" : info.expectedDowntime() + " ms";
        }
    }
}
