package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmSpecTest {

    private static final Path DISK = Path.of("/images/base.img");

    @Test
    void acceptsAValidSpec() {
        VmSpec spec = new VmSpec("vm-1.test_A", 128, 2, DISK);
        assertEquals(128L << 20, spec.memoryBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a b", "..", ".", "vm,debug-threads=off",
        "x12345678901234567890123456789012345678901234567890123456789012345"})
    void rejectsBadVmIds(String vmId) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VmSpec(vmId, 128, 1, DISK));
        assertTrue(e.getMessage().contains("vmId"), e.getMessage());
    }

    @Test
    void rejectsTooLittleMemory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VmSpec("vm", 31, 1, DISK));
        assertEquals("memoryMiB 31 is below the minimum of 32", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65})
    void rejectsVcpusOutOfRange(int vcpus) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VmSpec("vm", 128, vcpus, DISK));
        assertEquals("vcpus " + vcpus + " is outside 1..64", e.getMessage());
    }

    @Test
    void rejectsMissingDisk() {
        assertThrows(NullPointerException.class, () -> new VmSpec("vm", 128, 1, null));
    }
}
