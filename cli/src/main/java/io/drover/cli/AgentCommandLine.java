package io.drover.cli;

import io.drover.agent.qemu.Accel;
import io.drover.agent.service.AgentConfig;
import io.drover.agent.service.AgentService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code drover agent}: this host's agent as a service. Registers on Kafka, heartbeats, executes
 * the commands addressed to its host id and publishes every QMP event, until SIGTERM or SIGINT.
 * The QEMUs it started keep running when it stops; the next agent on the same data directory
 * re-attaches to them.
 */
@Command(name = "agent", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Run this host's agent: execute Drover commands from Kafka until SIGTERM/SIGINT.")
final class AgentCommandLine implements Callable<Integer> {

    /** The accelerator choices on the command line. */
    enum AccelChoice {
        kvm, tcg, auto;

        Accel resolve() {
            return switch (this) {
                case kvm -> Accel.KVM;
                case tcg -> Accel.TCG;
                case auto -> Accel.detect();
            };
        }
    }

    @Option(names = "--host-id", required = true, paramLabel = "ID", description = "This host's id: the key of its commands.")
    String hostId;

    @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP", description = "Kafka bootstrap servers (host:port).")
    String bootstrap;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "VM definitions, QEMU instances and the command journal.")
    Path dataDir;

    @Option(names = "--advertise-address", paramLabel = "ADDRESS", defaultValue = AgentConfig.DEFAULT_ADVERTISE_ADDRESS,
            description = "Address other hosts reach this one on for migration streams (default: ${DEFAULT-VALUE}).")
    String advertiseAddress;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto",
            description = "kvm, tcg or auto: KVM when /dev/kvm opens (default: ${DEFAULT-VALUE}).")
    AccelChoice accel;

    @Option(names = "--heartbeat-interval", paramLabel = "MS",
            description = "How often the agent reports its host and VMs, in ms (default: " + 10_000 + ").")
    Long heartbeatIntervalMs;

    @picocli.CommandLine.Mixin LogLevelOption logLevel;

    @Override
    public Integer call() throws Exception {
        logLevel.apply();
        CompilerThreads.lowerPriority();
        PrintStream out = System.out;
        AgentConfig config = AgentConfig.of(hostId, bootstrap, dataDir, accel.resolve()).withAdvertiseAddress(advertiseAddress);
        if (heartbeatIntervalMs != null) {
            if (heartbeatIntervalMs <= 0) {
                throw new IllegalArgumentException("--heartbeat-interval must be positive, got " + heartbeatIntervalMs);
            }
            config = config.withHeartbeatInterval(java.time.Duration.ofMillis(heartbeatIntervalMs));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AgentService service = AgentService.start(config, line -> {
            out.println(line);
            out.flush();
        });
        // SIGTERM and SIGINT run the shutdown hooks: stop consuming, leave the QEMUs running.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping agent " + hostId + " (its VMs keep running)");
            service.close();
            stopped.countDown();
        }, "agent-shutdown"));
        stopped.await();
        return 0;
    }
}
