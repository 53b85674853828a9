package io.drover.agent.guest;

import io.drover.agent.qemu.QemuFixture;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.QmpTestClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A running dirty guest and a QMP connection to its QEMU: memory dumps and dirty-rate measurements. */
final class GuestUnderTest implements AutoCloseable {

    /** QEMU 7.2 samples at most 10000 pages per GiB; the most samples give the steadiest estimate. */
    private static final int DIRTY_RATE_SAMPLE_PAGES = 10_000;

    private static final int DIRTY_RATE_POLL_MILLIS = 100;

    /** A dump and when the guest was stopped for it and resumed after it, by System.nanoTime(). */
    record Dump(Path file, long stoppedAt, long resumedAt) {
    }

    private final QemuProcess process;
    private final DirtyGuestSpec spec;
    private final Path dumpDir;
    private final QmpTestClient qmp;
    private int dumps;

    private GuestUnderTest(QemuProcess process, DirtyGuestSpec spec, Path dumpDir, QmpTestClient qmp) {
        this.process = process;
        this.spec = spec;
        this.dumpDir = dumpDir;
        this.qmp = qmp;
    }

    /** Waits for the guest's serial banner (so its pattern holds), then connects to QMP. */
    static GuestUnderTest attachBooted(QemuProcess process, DirtyGuestSpec spec, Path dumpDir)
            throws IOException, InterruptedException {
        QemuFixture.awaitSerial(process, DirtyGuestImage.SERIAL_BANNER);
        return attachMigrated(process, spec, dumpDir);
    }

    /**
     * Connects to the QEMU a guest has migrated to. (Its serial log stays empty: the banner went
     * to the source's serial file, and serial output is not migrated.)
     */
    static GuestUnderTest attachMigrated(QemuProcess process, DirtyGuestSpec spec, Path dumpDir) throws IOException {
        return new GuestUnderTest(process, spec, dumpDir, QmpTestClient.connect(process.qmpSocket()));
    }

    QmpTestClient qmp() {
        return qmp;
    }

    /** Dumps [0, endAddress) of a running guest: stop, pmemsave, cont. */
    Dump dumpRunning() throws IOException {
        long stoppedAt = System.nanoTime();
        qmp.execute("stop");
        Path file = dumpStopped();
        qmp.execute("cont");
        return new Dump(file, stoppedAt, System.nanoTime());
    }

    /** Dumps [0, endAddress) of a guest that is not running (e.g. a migration source after completion). */
    Path dumpStopped() throws IOException {
        Path file = dumpDir.resolve(process.instanceName() + "-dump-" + (++dumps) + ".bin");
        qmp.execute("pmemsave", Map.of("val", 0, "size", spec.endAddress(), "filename", file.toString()));
        return file;
    }

    /** The guest's page writes per second, in bytes, between two dumps of it running. */
    double measuredBytesPerSecond(Dump earlier, Dump later) {
        long pages = ConsistencyCheck.pagesWritten(later.file(), spec) - ConsistencyCheck.pagesWritten(earlier.file(), spec);
        double seconds = (later.stoppedAt() - earlier.resumedAt()) / 1e9;
        return pages * (double) DirtyGuestSpec.PAGE_SIZE / seconds;
    }

    /**
     * QEMU's estimate of the dirty rate over one second, in MiB/s, by page sampling. (Not
     * {@code "mode": "dirty-bitmap"}: QEMU 7.2.22 segfaults on it under TCG.)
     */
    long qemuDirtyRateMiBps() throws IOException, InterruptedException {
        qmp.execute("calc-dirty-rate", Map.of("calc-time", 1, "sample-pages", DIRTY_RATE_SAMPLE_PAGES,
                "mode", "page-sampling"));
        while (true) {
            Thread.sleep(DIRTY_RATE_POLL_MILLIS);
            var answer = qmp.execute("query-dirty-rate");
            if (answer.path("status").asText().equals("measured")) {
                return answer.path("dirty-rate").asLong();
            }
        }
    }

    @Override
    public void close() throws IOException {
        qmp.close();
    }
}
