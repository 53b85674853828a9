package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QEMU that has exited but is not reaped (a zombie, as daemonized QEMUs become under a PID 1 that
 * does not reap) must count as dead. The test makes one: QEMU runs under a shell that execs into
 * {@code sleep}, which never waits for its child.
 */
@Timeout(60)
class QemuProcessZombieTest {

    @TempDir
    Path workDir;

    private Process parent;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (parent != null) {
            parent.destroyForcibly(); // the zombie is re-parented and reaped
            parent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aZombieQemuIsDeadAndStopAndKillReturn() throws Exception {
        parent = new ProcessBuilder("sh", "-c", QemuLauncher.QEMU_BINARY
                + " -machine none -nodefaults -no-user-config -display none -S </dev/null >/dev/null 2>&1 &"
                + " echo $!; exec sleep 600").start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            pid = Long.parseLong(out.readLine().trim());
        }
        awaitExecOfSleep(parent.pid()); // a shell could still reap its child; sleep never does
        ProcStat stat = ProcStat.read(pid).orElseThrow();
        QemuProcess process = new QemuProcess(new InstanceDir(workDir.resolve("vm1/i1")), Role.SOURCE, Accel.TCG,
                pid, stat.startTime());
        assertTrue(process.isAlive());

        process.kill();

        assertEquals('Z', ProcStat.read(pid).orElseThrow().state(), "QEMU is a zombie of the sleeping shell");
        assertFalse(process.isAlive());
        process.kill();
        process.stop(Duration.ofSeconds(1));
    }

    private static void awaitExecOfSleep(long pid) throws Exception {
        Path comm = Path.of("/proc", Long.toString(pid), "comm");
        while (!Files.readString(comm).strip().equals("sleep")) {
            Thread.sleep(10);
        }
    }

    @Test
    void aReusedPidIsNotTheQemuStartedEarlier() {
        ProcStat self = ProcStat.read(ProcessHandle.current().pid()).orElseThrow();
        QemuProcess impostor = new QemuProcess(new InstanceDir(workDir.resolve("vm1/i1")), Role.SOURCE, Accel.TCG,
                self.pid(), self.startTime() - 1);
        assertFalse(impostor.isAlive());
        impostor.kill(); // must not signal this JVM
    }

    @Test
    void aVanishedPidIsDead() {
        QemuProcess gone = new QemuProcess(new InstanceDir(workDir.resolve("vm1/i1")), Role.SOURCE, Accel.TCG,
                Integer.MAX_VALUE, 0);
        assertFalse(gone.isAlive());
    }
}
