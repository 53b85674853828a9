package io.drover.cli;

import io.drover.agent.engine.MigrationListener;
import io.drover.events.MigrationPolicy;
import io.drover.agent.local.LocalMigration;
import io.drover.events.Json;
import io.drover.events.MigrationOutcome;
import io.drover.events.MigrationStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code drover bench local-migrate}: N migrations of the same VM driven by the agent (engine and
 * Kafka publishing) and N by the bare QMP sequence, interleaved so that drift in the machine's
 * load hits both alike. Prints both medians and their ratio.
 */
@Command(name = "local-migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time migrations driven by the agent against the bare QMP sequence, side by side.")
final class BenchLocalMigrateCommand implements Callable<Integer> {
    @Mixin VmOptions vm;
    @Mixin KafkaOptions kafka;

    /**
     * Without --dirty-rate the benchmark uses a guest whose RAM is populated (the guest writes every
     * page before it reports up) and lightly dirtied, like a real VM: an all-zero idle guest moves
     * as zero pages in a few tens of milliseconds, where fixed costs hide what a migration costs.
     */
    static final long DEFAULT_BENCH_DIRTY_RATE = 4L << 20;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin BenchOptions bench;


    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the VMs live (default: .drover/bench).")
    Path workDir;

    @Option(names = "--json", description = "Print one JSON object with the figures as the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CompilerThreads.lowerPriority(); // as the agent and coordinator do: see CompilerThreads
        bench.validate();
        PrintStream out = System.out;
        if (!spec.commandLine().getParseResult().hasMatchedOption("--dirty-rate")) {
            vm.dirtyRate = DEFAULT_BENCH_DIRTY_RATE; // see DEFAULT_BENCH_DIRTY_RATE; --dirty-rate idle for the all-zero case
        }
        Path dir = workDir != null ? workDir : Path.of(".drover", "bench");
        var accel = vm.accel();
        MigrationPolicy policy = MigrationPolicy.defaults();
        List<Long> agentMs = new ArrayList<>();
        List<Long> bareMs = new ArrayList<>();
        out.printf("bench local-migrate: %d runs each way, %d MiB guest dirtying %s, %s%n", bench.runs, vm.memoryMiB,
                vm.describeDirtyRate(), accel);
        out.printf("%-5s %12s %12s%n", "run", "agent ms", "bare ms");
        try (KafkaOptions.Session k = kafka.open(dir)) {
            for (int i = 1 - bench.warmup; i <= bench.runs; i++) {
                // Alternate which goes first, so warm-up and drift are shared.
                boolean agentFirst = i % 2 == 1;
                long a = 0, b = 0;
                for (int leg = 0; leg < 2; leg++) {
                    boolean agent = (leg == 0) == agentFirst;
                    Path runDir = dir.resolve(BenchOptions.runName(agent ? "agent-" : "bare-", i));
                    try (LocalMigration m = LocalMigration.prepare(runDir, vm.vmId, vm.memoryMiB, vm.vcpus, vm.guest(), policy, accel)) {
                        if (agent) a = agentRun(m, k);
                        else b = BareMigration.run(m.sourceEndpoint().qmp(), m.destinationEndpoint().qmp(), m.state().uri()).toMillis();
                    }
                }
                if (i < 1) {
                    out.printf("%-5s %12d %12d%n", "warm", a, b);
                    continue;
                }
                agentMs.add(a);
                bareMs.add(b);
                out.printf("%-5d %12d %12d%n", i, a, b);
            }
        }
        double agentMedian = median(agentMs);
        double bareMedian = median(bareMs);
        double ratio = agentMedian / bareMedian;
        out.printf("%nmedian: agent %.1f ms, bare %.1f ms, ratio %.3f (target <= 1.10)%n", agentMedian, bareMedian, ratio);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("runs", bench.runs);
            j.put("agentMedianMs", agentMedian);
            j.put("bareMedianMs", bareMedian);
            j.put("ratio", Math.round(ratio * 1000) / 1000.0);
            j.put("agentMs", agentMs);
            j.put("bareMs", bareMs);
            j.put("accel", accel.name().toLowerCase());
            out.println(Json.mapper().writeValueAsString(j));
        }
        return 0;
    }

    private static long agentRun(LocalMigration m, KafkaOptions.Session k) throws Exception {
        MigrationListener listener = MigrationListener.all();
        if (k.publisher() != null) {
            k.publisher().attach(m.state().vmId(), "source", m.sourceEndpoint().qmp());
            k.publisher().attach(m.state().vmId(), "destination", m.destinationEndpoint().qmp());
            listener = k.publisher().forMigration(m.state().vmId(), m.state().migrationId());
        }
        Instant start = Instant.now();
        MigrationOutcome o = m.start(listener).await(Duration.ofMinutes(5));
        long ms = Duration.between(start, Instant.now()).toMillis();
        if (!MigrationStatus.COMPLETED.equals(o.status())) {
            throw new IllegalStateException("agent migration ended " + o.status().raw() + ": " + o.errorDesc());
        }
        return ms;
    }

    static double median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }
}
