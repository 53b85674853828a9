package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuFixture;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.QmpTestClient;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A local live migration of a paced dirty guest between a source and a destination started by the
 * launcher: their configurations match, and the guest's memory arrives consistent and keeps changing.
 */
@Timeout(180)
class DirtyGuestMigrationTest {

    private static final int MEMORY_MIB = 128;

    /** Far above the guest's 40 MiB/s dirty rate, so the migration converges in a few seconds. */
    private static final long MAX_BANDWIDTH = 1L << 30;

    private static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private QemuFixture qemu;

    @AfterEach
    void tearDown() {
        if (qemu != null) {
            qemu.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Accel.class)
    void migratedGuestIsConsistentAndKeepsDirtying(Accel accel) throws Exception {
        assumeTrue(accel != Accel.KVM || Accel.detect() == Accel.KVM, "KVM is not available here");
        qemu = new QemuFixture(dir.resolve("vms"), accel);
        DirtyGuestSpec spec = DirtyGuestSpec.forRate(40L << 20, (long) MEMORY_MIB << 20);
        VmSpec vm = new VmSpec("guest", MEMORY_MIB, 1, DirtyGuestImage.writeDiskImage(spec, dir.resolve("guest.img")));
        QemuProcess sourceProcess = qemu.start(vm, Role.SOURCE, "src");
        QemuProcess destinationProcess = qemu.start(vm, Role.DESTINATION, "dst");
        Path channel = dir.resolve("migration.sock");

        Path sourceFinal;
        try (GuestUnderTest source = GuestUnderTest.attachBooted(sourceProcess, spec, dir);
                QmpTestClient destinationQmp = QmpTestClient.connect(destinationProcess.qmpSocket())) {
            destinationQmp.execute("migrate-incoming", Map.of("uri", "unix:" + channel));
            source.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", MAX_BANDWIDTH));
            source.qmp().execute("migrate", Map.of("uri", "unix:" + channel));
            awaitMigrationCompleted(source.qmp());
            assertEquals("postmigrate", source.qmp().status());
            sourceFinal = source.dumpStopped();
            awaitStatus(destinationQmp, "running");
        }
        ConsistencyCheck.Result atSwitchover = ConsistencyCheck.checkDump(sourceFinal, spec);
        assertTrue(atSwitchover.consistent(), atSwitchover.explanation());

        // A QMP socket serves one client at a time: the one above is closed before this one connects.
        try (GuestUnderTest destination = GuestUnderTest.attachMigrated(destinationProcess, spec, dir)) {
            GuestUnderTest.Dump arrived = destination.dumpRunning();
            Thread.sleep(500);
            GuestUnderTest.Dump later = destination.dumpRunning();
            for (GuestUnderTest.Dump dump : new GuestUnderTest.Dump[] {arrived, later}) {
                ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump.file(), spec);
                assertTrue(result.consistent(), result.explanation());
            }
            long atSource = ConsistencyCheck.pagesWritten(sourceFinal, spec);
            long atArrival = ConsistencyCheck.pagesWritten(arrived.file(), spec);
            long afterwards = ConsistencyCheck.pagesWritten(later.file(), spec);
            assertTrue(atArrival >= atSource, "the destination starts from where the source stopped");
            assertTrue(afterwards > atArrival, "the guest keeps dirtying on the destination");
        }
    }

    private static void awaitMigrationCompleted(QmpTestClient qmp) throws Exception {
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            var info = qmp.execute("query-migrate");
            String status = info.path("status").asText();
            if (status.equals("completed")) {
                return;
            }
            if (status.equals("failed") || status.equals("cancelled")) {
                throw new AssertionError("migration " + status + ": " + info);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("migration did not complete within " + MIGRATION_TIMEOUT);
    }

    private static void awaitStatus(QmpTestClient qmp, String wanted) throws Exception {
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        while (!qmp.status().equals(wanted)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("status is " + qmp.status() + ", not " + wanted);
            }
            Thread.sleep(50);
        }
    }
}
