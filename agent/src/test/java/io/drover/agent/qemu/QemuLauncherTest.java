package io.drover.agent.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.agent.guest.DirtyGuestImage;
import io.drover.agent.guest.DirtyGuestSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher against the real QEMU, under KVM where /dev/kvm opens. */
@Timeout(180)
class QemuLauncherTest {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    @TempDir
    Path workDir;

    private final Accel accel = Accel.detect();
    private QemuFixture qemu;
    private Path baseImage;

    @BeforeEach
    void setUp() {
        qemu = new QemuFixture(workDir.resolve("vms"), accel);
        baseImage = DirtyGuestImage.writeDiskImage(DirtyGuestSpec.idle(), workDir.resolve("base.img"));
    }

    @AfterEach
    void tearDown() {
        qemu.close();
    }

    private VmSpec vm(String vmId) {
        return new VmSpec(vmId, 64, 1, baseImage);
    }

    @Test
    void reportsQemuVersion() {
        assertTrue(QemuLauncher.qemuVersion().matches("7\\.2\\.\\d+"), QemuLauncher.qemuVersion());
    }

    @Test
    void startsASourceThatBootsAndADestinationThatAwaitsMigration() throws Exception {
        QemuProcess source = qemu.start(vm("vm1"), Role.SOURCE, "src");
        QemuProcess destination = qemu.start(vm("vm1"), Role.DESTINATION, "dst");

        QemuFixture.awaitSerial(source, DirtyGuestImage.SERIAL_BANNER);
        try (QmpTestClient sourceQmp = QmpTestClient.connect(source.qmpSocket());
                QmpTestClient destinationQmp = QmpTestClient.connect(destination.qmpSocket())) {
            assertEquals("running", sourceQmp.status());
            assertEquals("inmigrate", destinationQmp.status());
        }
        for (QemuProcess process : List.of(source, destination)) {
            assertTrue(process.isAlive());
            assertEquals(accel, process.accel());
            assertEquals("vm1", process.vmId());
            assertEquals(workDir.resolve("vms/vm1").resolve(process.instanceName()), process.instanceDir());
            assertEquals(Long.toString(process.pid()), Files.readString(process.pidFile()).trim());
        }
        assertEquals(Role.SOURCE, source.role());
        assertEquals(Role.DESTINATION, destination.role());
    }

    @Test
    void givesEachInstanceItsOwnDiskCopySoVmsShareABaseImage() throws Exception {
        QemuProcess first = qemu.start(vm("vm-a"), Role.SOURCE, "i1");
        QemuProcess second = qemu.start(vm("vm-b"), Role.SOURCE, "i1");

        QemuFixture.awaitSerial(first, DirtyGuestImage.SERIAL_BANNER);
        QemuFixture.awaitSerial(second, DirtyGuestImage.SERIAL_BANNER);
        assertTrue(first.isAlive() && second.isAlive());
        assertNotEquals(first.diskCopy(), second.diskCopy());
        for (QemuProcess process : List.of(first, second)) {
            assertTrue(process.diskCopy().startsWith(process.instanceDir()));
            assertArrayEquals(Files.readAllBytes(baseImage), Files.readAllBytes(process.diskCopy()));
        }
    }

    @Test
    void failsWithQemusErrorTextOnABadOption() {
        QemuLauncher launcher = new QemuLauncher(workDir.resolve("vms"), accel, List.of("-device", "no-such-device"));
        QemuLaunchException e = assertThrows(QemuLaunchException.class,
                () -> qemu.track(launcher.start(vm("vm1"), Role.SOURCE, "i1")));
        assertTrue(e.getMessage().contains("'no-such-device' is not a valid device model name"), e.getMessage());
        assertTrue(e.getMessage().startsWith("QEMU failed to start VM vm1 instance i1 (exit code 1)"), e.getMessage());
    }

    @Test
    void failsWithQemusErrorTextWhenGuestMemoryCannotBeAllocated() {
        VmSpec huge = new VmSpec("vm1", Integer.MAX_VALUE, 1, baseImage); // 2 PiB
        QemuLaunchException e = assertThrows(QemuLaunchException.class,
                () -> qemu.track(qemu.launcher().start(huge, Role.SOURCE, "i1")));
        assertTrue(e.qemuOutput().contains("cannot set up guest memory 'pc.ram'"), e.getMessage());
    }

    @Test
    void refusesToStartAnInstanceThatIsRunningButRestartsOneThatStopped() {
        QemuProcess first = qemu.start(vm("vm1"), Role.SOURCE, "i1");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> qemu.start(vm("vm1"), Role.SOURCE, "i1"));
        assertTrue(e.getMessage().contains("is already running"), e.getMessage());

        first.stop(STOP_GRACE);
        QemuProcess second = qemu.start(vm("vm1"), Role.SOURCE, "i1");
        assertTrue(second.isAlive());
        assertNotEquals(first.pid(), second.pid());
    }

    @Test
    void stopEndsQemuCleanlyAndIsIdempotent() throws IOException {
        QemuProcess process = qemu.start(vm("vm1"), Role.SOURCE, "i1");
        process.stop(STOP_GRACE);

        assertFalse(process.isAlive());
        assertTrue(process.logTail(5).contains("terminating on signal 15"), process.logTail(5));
        assertFalse(Files.exists(process.pidFile()), "QEMU removes its pidfile on a clean exit");
        process.stop(STOP_GRACE);
        process.kill();
        assertFalse(process.isAlive());
    }

    @Test
    void killEndsQemuAndIsIdempotent() {
        QemuProcess process = qemu.start(vm("vm1"), Role.DESTINATION, "i1");
        process.kill();

        assertFalse(process.isAlive());
        process.kill();
        process.stop(STOP_GRACE);
        assertFalse(process.isAlive());
    }

    @Test
    void reattachFromTheInstanceDirectoryFindsTheSameQemu() throws IOException {
        QemuProcess started = qemu.start(vm("vm1"), Role.DESTINATION, "i1");

        QemuProcess reattached = qemu.track(QemuProcess.reattach(started.instanceDir()));
        assertEquals(started.pid(), reattached.pid());
        assertEquals(started.vmId(), reattached.vmId());
        assertEquals(started.instanceName(), reattached.instanceName());
        assertEquals(Role.DESTINATION, reattached.role());
        assertEquals(accel, reattached.accel());
        assertTrue(reattached.isAlive());
        try (QmpTestClient qmp = QmpTestClient.connect(reattached.qmpSocket())) {
            assertEquals("inmigrate", qmp.status());
        }

        reattached.stop(STOP_GRACE);
        assertFalse(started.isAlive());
        assertFalse(QemuProcess.reattach(started.instanceDir()).isAlive(), "an exited instance reattaches as dead");
    }

    @Test
    void reattachRejectsADirectoryWithoutAnInstance() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QemuProcess.reattach(workDir));
        assertTrue(e.getMessage().contains("is not a QEMU instance directory"), e.getMessage());
    }

    /**
     * Documents QEMU 7.2: a destination whose incoming migration breaks off (here: its source is
     * killed mid-stream) exits with "load of migration failed"; it does not stay up for a retry.
     */
    @Test
    void destinationExitsWhenItsIncomingMigrationFails() throws Exception {
        // A busy guest: an idle one's RAM is nearly all zero pages, which migrate in an instant.
        VmSpec busy = new VmSpec("vm1", 64, 1, DirtyGuestImage.writeDiskImage(
                DirtyGuestSpec.flatOut(64L << 20), workDir.resolve("busy.img")));
        QemuProcess source = qemu.start(busy, Role.SOURCE, "src");
        QemuProcess destination = qemu.start(busy, Role.DESTINATION, "dst");
        QemuFixture.awaitSerial(source, DirtyGuestImage.SERIAL_BANNER);
        Path channel = workDir.resolve("migration.sock");
        try (QmpTestClient sourceQmp = QmpTestClient.connect(source.qmpSocket());
                QmpTestClient destinationQmp = QmpTestClient.connect(destination.qmpSocket())) {
            destinationQmp.execute("migrate-incoming", Map.of("uri", "unix:" + channel));
            // 1 MiB/s: the 60 MiB of dirtied RAM take a minute, so the migration is surely under way when the source dies.
            sourceQmp.execute("migrate-set-parameters", Map.of("max-bandwidth", 1 << 20));
            sourceQmp.execute("migrate", Map.of("uri", "unix:" + channel));
            awaitMigrationStatus(sourceQmp, "active");
        }
        source.kill();

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (destination.isAlive() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        assertFalse(destination.isAlive(), "the destination exits after a failed incoming migration");
        assertTrue(destination.logTail(5).contains("load of migration failed"), destination.logTail(5));
    }

    private static void awaitMigrationStatus(QmpTestClient qmp, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String current = "";
        while (System.nanoTime() - deadline < 0) {
            current = qmp.execute("query-migrate").path("status").asText();
            if (current.equals(status)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("migration status is " + current + ", not " + status);
    }
}
