package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An agent's registration ({@link RecordTypes#HOST_REGISTERED}, once at start) and heartbeat
 * ({@link RecordTypes#HOST_HEARTBEAT}, periodically) on {@link Topics#HOSTS}, keyed by host id.
 *
 * @param qemuVersion   e.g. "7.2.22"
 * @param dialect       a short description of what that QEMU speaks (commands, capabilities, parameters)
 * @param accel         "kvm" or "tcg"
 * @param memoryMiB     RAM the host offers to VMs
 * @param vcpus         vCPUs the host offers to VMs
 * @param vms           the VMs the agent runs now
 * @param sequence      heartbeat counter since the agent started (0 for the registration)
 * @param agentStarted  when this agent process started
 */
public record HostStatus(
        @JsonProperty("hostId") String hostId,
        @JsonProperty("qemuVersion") String qemuVersion,
        @JsonProperty("dialect") String dialect,
        @JsonProperty("accel") String accel,
        @JsonProperty("memoryMiB") long memoryMiB,
        @JsonProperty("vcpus") int vcpus,
        @JsonProperty("vms") List<VmState> vms,
        @JsonProperty("sequence") long sequence,
        @JsonProperty("agentStarted") Instant agentStarted) {
    public HostStatus {
        Objects.requireNonNull(hostId, "hostId");
        vms = vms == null ? List.of() : List.copyOf(vms);
    }

    /** One VM as its agent sees it. */
    public record VmState(@JsonProperty("vmId") String vmId, @JsonProperty("state") String state,
                          @JsonProperty("memoryMiB") int memoryMiB, @JsonProperty("vcpus") int vcpus) {
    }
}
