package io.drover.agent.qemu;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of a VM, identical for every QEMU instance of it (a migration destination
 * must match its source).
 *
 * @param vmId the VM's identifier, {@code [A-Za-z0-9._-]{1,64}}; names its directory and QEMU's {@code -name}
 * @param memoryMiB guest RAM in MiB, at least {@link #MIN_MEMORY_MIB}
 * @param vcpus number of virtual CPUs, 1 to {@link #MAX_VCPUS}
 * @param diskImage the raw base disk image; every instance boots a copy of its own
 */
public record VmSpec(String vmId, int memoryMiB, int vcpus, Path diskImage) {

    /** Smallest guest RAM: SeaBIOS and the pc machine's tables need a few MiB; below 32 nothing useful fits. */
    public static final int MIN_MEMORY_MIB = 32;

    /** Most vCPUs: a bound well inside QEMU's limits that keeps test VMs from swamping an agent host. */
    public static final int MAX_VCPUS = 64;

    /** What VM ids and instance names may contain: they become directory names and QEMU option values. */
    static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Validates the spec. */
    public VmSpec {
        requireValidId("vmId", vmId);
        if (memoryMiB < MIN_MEMORY_MIB) {
            throw new IllegalArgumentException("memoryMiB " + memoryMiB + " is below the minimum of " + MIN_MEMORY_MIB);
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vcpus " + vcpus + " is outside 1.." + MAX_VCPUS);
        }
        Objects.requireNonNull(diskImage, "diskImage");
    }

    /** Guest RAM in bytes. */
    public long memoryBytes() {
        return (long) memoryMiB << 20;
    }

    /** Throws unless {@code value} matches {@link #ID_PATTERN} and is not "." or "..". */
    static void requireValidId(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!ID_PATTERN.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + ID_PATTERN.pattern()
                    + " and not be '.' or '..'");
        }
    }
}
