package io.drover.agent.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.drover.agent.guest.DirtyGuestSpec;

/**
 * A VM as defined on this host, persisted as {@code <dataDir>/vms/<vmId>/vm.json}.
 *
 * @param dirtyRate bytes per second the test guest dirties; {@link #IDLE} or {@link #FLAT_OUT}
 */
public record VmDefinition(@JsonProperty("vmId") String vmId, @JsonProperty("memoryMiB") int memoryMiB,
                           @JsonProperty("vcpus") int vcpus, @JsonProperty("dirtyRate") long dirtyRate) {
    /** The command protocol's dirty rate of a guest that dirties nothing. */
    public static final long IDLE = 0;
    /** The command protocol's dirty rate of a guest that dirties as fast as it can. */
    public static final long FLAT_OUT = -1;

    /** The guest program for this rate; throws IllegalArgumentException naming a rate or size that does not fit. */
    public DirtyGuestSpec guest() {
        long mem = (long) memoryMiB << 20;
        if (dirtyRate == IDLE) {
            return DirtyGuestSpec.idle();
        }
        if (dirtyRate == FLAT_OUT) {
            return DirtyGuestSpec.flatOut(mem);
        }
        if (dirtyRate < 0) {
            throw new IllegalArgumentException("dirtyRate " + dirtyRate + " is negative (0 idle, -1 flat out)");
        }
        return DirtyGuestSpec.forRate(dirtyRate, mem);
    }
}
