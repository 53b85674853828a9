package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccelTest {

    @Test
    void detectsKvmWhereDevKvmOpens() {
        assumeTrue(Files.isReadable(Accel.DEV_KVM) && Files.isWritable(Accel.DEV_KVM), "no usable /dev/kvm here");
        assertEquals(Accel.KVM, Accel.detect());
    }

    @Test
    void fallsBackToTcgWithoutKvmDevice(@TempDir Path dir) {
        assertEquals(Accel.TCG, Accel.detect(dir.resolve("kvm")));
    }

    @Test
    void fallsBackToTcgWhenKvmDeviceIsNotADevice(@TempDir Path dir) {
        assertEquals(Accel.TCG, Accel.detect(dir)); // a directory does not open for writing
    }

    @Test
    void namesAcceleratorsAsQemuDoes() {
        assertEquals("kvm", Accel.KVM.qemuName());
        assertEquals("tcg", Accel.TCG.qemuName());
    }
}
