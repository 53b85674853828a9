package io.drover.cli;

import io.drover.agent.guest.DirtyGuestSpec;
import io.drover.agent.qemu.Accel;
import picocli.CommandLine.Option;

/** The test VM as flags: size, vCPUs, accelerator and the guest's dirty rate. */
final class VmOptions {
    @Option(names = "--vm", defaultValue = "vm1", description = "VM id (default: ${DEFAULT-VALUE}).")
    String vmId;

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "256", description = "Guest RAM in MiB (default: ${DEFAULT-VALUE}).")
    int memoryMiB;

    @Option(names = "--vcpus", defaultValue = "1", description = "vCPUs (default: ${DEFAULT-VALUE}).")
    int vcpus;

    @Option(names = "--dirty-rate", paramLabel = "RATE", defaultValue = "idle", converter = RateConverter.DirtyRate.class,
            description = "How fast the guest dirties memory: idle, max, or a rate like 40MiB/s (default: ${DEFAULT-VALUE}).")
    long dirtyRate;

    @Option(names = "--accel", defaultValue = "auto", description = "kvm, tcg or auto: KVM when /dev/kvm opens (default: ${DEFAULT-VALUE}).")
    String accel;

    DirtyGuestSpec guest() {
        long mem = (long) memoryMiB << 20;
        if (dirtyRate == 0) return DirtyGuestSpec.idle();
        if (dirtyRate < 0) return DirtyGuestSpec.flatOut(mem);
        return DirtyGuestSpec.forRate(dirtyRate, mem);
    }

    String describeDirtyRate() {
        return dirtyRate == 0 ? "nothing (idle)" : dirtyRate < 0 ? "flat out" : Sizes.rate(dirtyRate);
    }

    Accel accel() {
        return switch (accel.toLowerCase()) {
            case "auto" -> Accel.detect();
            case "kvm" -> Accel.KVM;
            case "tcg" -> Accel.TCG;
            default -> throw new IllegalArgumentException("--accel must be kvm, tcg or auto, got '" + accel + "'");
        };
    }
}
