package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's command line and argument checks, without running QEMU. */
class QemuLauncherCommandLineTest {

    @TempDir
    Path workDir;

    private final VmSpec spec = new VmSpec("vm1", 256, 2, Path.of("/images/base.img"));

    @Test
    void destinationDiffersFromSourceOnlyByIncomingDefer() {
        QemuLauncher launcher = new QemuLauncher(workDir, Accel.KVM);
        InstanceDir dir = new InstanceDir(workDir.resolve("vm1/i1"));
        List<String> source = launcher.commandLine(spec, Role.SOURCE, dir);
        List<String> destination = launcher.commandLine(spec, Role.DESTINATION, dir);

        List<String> expected = new ArrayList<>(source);
        expected.addAll(List.of("-incoming", "defer"));
        assertEquals(expected, destination);
        assertFalse(source.contains("-incoming"));
    }

    @Test
    void pinsTheDeviceModelAndDaemonizesWithLogAndPidfile() {
        QemuLauncher launcher = new QemuLauncher(workDir, Accel.TCG);
        InstanceDir dir = new InstanceDir(workDir.resolve("vm1/i1"));
        String line = String.join(" ", launcher.commandLine(spec, Role.SOURCE, dir));

        assertTrue(line.startsWith("qemu-system-x86_64 -name vm1,debug-threads=on "), line);
        for (String expected : List.of("-machine pc-i440fx-7.2", "-accel tcg", "-cpu qemu64", "-m 256M", "-smp 2",
                "-nodefaults", "-no-user-config", "-display none", "-daemonize", "-msg timestamp=on",
                "-drive file=" + dir.disk() + ",format=raw,if=ide,index=0,media=disk",
                "-serial file:" + dir.serialLog(),
                "-qmp unix:" + dir.qmpSocket() + ",server=on,wait=off",
                "-pidfile " + dir.pidFile(), "-D " + dir.logFile())) {
            assertTrue(line.contains(expected), () -> "missing '" + expected + "' in " + line);
        }
    }

    @Test
    void escapesCommasInPathsOfOptionValues() {
        QemuLauncher launcher = new QemuLauncher(workDir.resolve("a,b"), Accel.KVM);
        InstanceDir dir = new InstanceDir(workDir.resolve("a,b/vm1/i1"));
        List<String> command = launcher.commandLine(spec, Role.SOURCE, dir);
        assertTrue(command.contains("file:" + dir.serialLog().toString().replace(",", ",,")), command::toString);
        assertTrue(command.contains(dir.pidFile().toString()), "-pidfile takes a plain path");
    }

    @Test
    void usesAbsolutePathsBecauseADaemonizedQemuChangesToRoot() {
        InstanceDir dir = new InstanceDir(Path.of("relative/vm1/i1"));
        assertTrue(dir.path().isAbsolute());
        assertEquals("vm1", dir.vmId());
        assertEquals("i1", dir.instanceName());
    }

    @Test
    void rejectsInvalidInstanceNames() throws IOException {
        QemuLauncher launcher = new QemuLauncher(workDir, Accel.TCG);
        VmSpec withDisk = new VmSpec("vm1", 128, 1, Files.createFile(workDir.resolve("base.img")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> launcher.start(withDisk, Role.SOURCE, "../escape"));
        assertTrue(e.getMessage().contains("instanceName"), e.getMessage());
    }

    @Test
    void rejectsAMissingBaseImage() {
        QemuLauncher launcher = new QemuLauncher(workDir, Accel.TCG);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> launcher.start(spec, Role.SOURCE, "i1"));
        assertEquals("base disk image /images/base.img of VM vm1 is not a readable file", e.getMessage());
    }

    @Test
    void rejectsAWorkDirTooLongForTheQmpSocket() throws IOException {
        Path deep = workDir.resolve("d".repeat(100));
        QemuLauncher launcher = new QemuLauncher(deep, Accel.TCG);
        VmSpec withDisk = new VmSpec("vm1", 128, 1, Files.createFile(workDir.resolve("base.img")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> launcher.start(withDisk, Role.SOURCE, "i1"));
        assertTrue(e.getMessage().contains("over the 107-byte limit of unix socket paths"), e.getMessage());
        assertFalse(Files.exists(deep), "nothing is created for a start that cannot succeed");
    }
}
