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
 * @param incomingLease     how long a destination QEMU readied by prepare-incoming waits for its source to connect
 *                          before the agent stops it ({@link #DEFAULT_INCOMING_LEASE})
 */
public record AgentConfig(String hostId, String bootstrapServers, Path dataDir, Accel accel, String advertiseAddress,
                          long memoryMiB, int vcpus, Duration heartbeatInterval, Duration incomingLease) {

    /** Loopback: a single-host setup works without configuration; a fleet sets the host's own address. */
    public static final String DEFAULT_ADVERTISE_ADDRESS = "127.0.0.1";

    /**
     * Three missed heartbeats (30 s) are a clear signal that the agent is gone, while one every 10 s
     * costs the HOSTS topic nothing; the coordinator's liveness timeout is built on this figure.
     */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

    /**
     * The coordinator sends prepare-incoming as it persists the request, so that the destination's QEMU starts while
     * the journal write runs; the source is armed only once the request is persisted. A destination readied for a
     * request that never made it into the journal (the coordinator died, the write failed) is not migrated to by
     * anyone, and stops when this lease runs out with no source connected. Five minutes is far beyond the seconds a
     * source takes to connect, and beyond the coordinator's own timeouts for a source that does not.
     */
    public static final Duration DEFAULT_INCOMING_LEASE = Duration.ofMinutes(5);

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
        if (incomingLease == null) {
            incomingLease = DEFAULT_INCOMING_LEASE;
        }
        if (incomingLease.isNegative() || incomingLease.isZero()) {
            throw new IllegalArgumentException("incomingLease must be positive, was " + incomingLease);
        }
    }

    /** A configuration with every default: capacity from the machine, loopback address, 10 s heartbeats. */
    public static AgentConfig of(String hostId, String bootstrapServers, Path dataDir, Accel accel) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, null, 0, 0, null, null);
    }

    public AgentConfig withAdvertiseAddress(String address) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, address, memoryMiB, vcpus, heartbeatInterval, incomingLease);
    }

    public AgentConfig withHeartbeatInterval(Duration interval) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, advertiseAddress, memoryMiB, vcpus, interval, incomingLease);
    }

    public AgentConfig withCapacity(long memoryMiB, int vcpus) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, advertiseAddress, memoryMiB, vcpus, heartbeatInterval, incomingLease);
    }

    public AgentConfig withIncomingLease(Duration lease) {
        return new AgentConfig(hostId, bootstrapServers, dataDir, accel, advertiseAddress, memoryMiB, vcpus, heartbeatInterval, lease);
    }

    private static long machineMemoryMiB() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() >> 20 : 0;
        return Math.max(total - HOST_RESERVE_MIB, 0);
    }
}
