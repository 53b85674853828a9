package io.drover.agent.service;

import io.drover.agent.qemu.Accel;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How one {@link AgentService} runs.
 *
 * @param hostId            this host's id: the key of its commands, results and heartbeats
 * @param bootstrapServers  Kafka bootstrap servers
 * @param dataDir           where the agent keeps VM definitions, QEMU instance directories and its command journal
 * @param accel             the accelerator every VM runs under
 * @param advertiseAddress  the address other hosts reach this one on for migration streams
 * @param memoryMiB         RAM the host offers to VMs
 * @param vcpus             vCPUs the host offers to VMs
 * @param heartbeatInterval how often a heartbeat goes to {@link io.drover.events.Topics#HOSTS}
 */
public record AgentConfig(String hostId, String bootstrapServers, Path dataDir, Accel accel, String advertiseAddress,
                          long memoryMiB, int vcpus, Duration heartbeatInterval) {

    /** Loopback: a single-host setup works without configuration; a fleet sets the host's own address. */
    public static final String DEFAULT_ADVERTISE_ADDRESS = "127.0.0.1";

    /**
     * Three missed heartbeats (30 s) are a clear signal that the agent is gone, while one every 10 s
     * costs the HOSTS topic nothing; the coordinator's liveness timeout is built on this figure.
     */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

    /** RAM kept back for the host itself and the agent when the capacity is taken from the machine. */
    static final long HOST_RESERVE_MIB = 512;

    public AgentConfig {
        AgentIds.requireValid("hostId", hostId);
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        Objects.requireNonNull(accel, "accel");
        if (advertiseAddress == null || advertiseAddress.isBlank()) {
            advertiseAddress = DEFAULT_ADVERTISE_ADDRESS;
        }
        if (memoryMiB <= 0) {
            memoryMiB = machineMemoryMiB();
        }
        if (vcpus <= 0) {
            vcpus = Runtime.getRuntime().availableProcessors();
        }
        if (heartbeatInterval == null) {
            heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
        }
    }

    /** A configuration with every default: capacity from the machine, loopback address, 10 s heartbeats. */
    public static AgentConfig of(String hostId, String bootstrapServers, Path dataDir, Accel accel) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, null, 0, 0, null);
    }

    public AgentConfig withAdvertiseAddress(String address) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, address, memoryMiB, vcpus, heartbeatInterval);
    }

    public AgentConfig withHeartbeatInterval(Duration interval) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, advertiseAddress, memoryMiB, vcpus, interval);
    }

    public AgentConfig withCapacity(long memoryMiB, int vcpus) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, advertiseAddress, memoryMiB, vcpus, heartbeatInterval);
    }

    private static long machineMemoryMiB() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() >> 20 : 0;
        return Math.max(total - HOST_RESERVE_MIB, 0);
    }
}
