package io.drover.agent.qemu;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The QEMU accelerator a VM runs under. */
public enum Accel {
    /** Hardware virtualisation through the Linux kernel's /dev/kvm. */
    KVM("kvm"),
    /** QEMU's Tiny Code Generator: pure emulation, slow but available everywhere. */
    TCG("tcg");

    private static final Logger LOG = LoggerFactory.getLogger(Accel.class);

    /** The KVM device; QEMU needs it open for read and write. */
    static final Path DEV_KVM = Path.of("/dev/kvm");

    private final String qemuName;

    Accel(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The accelerator's name on QEMU's command line ({@code -accel NAME}). */
    public String qemuName() {
        return qemuName;
    }

    /** Returns {@link #KVM} if /dev/kvm opens for read and write, else {@link #TCG}. */
    public static Accel detect() {
        return detect(DEV_KVM);
    }

    static Accel detect(Path kvmDevice) {
        try {
            FileChannel.open(kvmDevice, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
            LOG.info("Accelerator: KVM ({} opens for read and write)", kvmDevice);
            return KVM;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.warn("Accelerator: TCG, falling back to emulation because {} does not open: {}", kvmDevice, e.toString());
            return TCG;
        }
    }
}
