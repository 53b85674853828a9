package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.agent.qemu.Accel;
import io.drover.agent.qemu.QemuFixture;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qemu.Role;
import io.drover.agent.qemu.VmSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dirty guest on the real QEMU, under KVM (where /dev/kvm opens) and TCG. */
@Timeout(180)
class DirtyGuestOnQemuTest {

    private static final Logger LOG = LoggerFactory.getLogger(DirtyGuestOnQemuTest.class);

    private static final int MEMORY_MIB = 128;
    private static final long MEMORY_BYTES = (long) MEMORY_MIB << 20;
    private static final long MIB = 1L << 20;
    private static final long PACED_RATE = 40 * MIB;

    /** How long the guest runs between the two dumps that measure its rate. */
    private static final long MEASURE_MILLIS = 2_000;

    /**
     * Tolerance of a paced rate measured from dumps. The guest catches up with vCPU preemptions
     * shorter than ~55 ms, so only heavier host load pulls it below; above target means a bug.
     */
    private static final double PACED_MIN = 0.8;
    private static final double PACED_MAX = 1.05;

    /** Tolerance of QEMU's sampled estimate (10000 samples per GiB, whole MiB/s). */
    private static final double SAMPLED_MIN = 0.7;
    private static final double SAMPLED_MAX = 1.2;

    @TempDir
    Path dir;

    private QemuFixture qemu;
    private QemuProcess process;

    @AfterEach
    void tearDown() {
        if (qemu != null) {
            qemu.close();
        }
    }

    private GuestUnderTest boot(Accel accel, DirtyGuestSpec spec) throws Exception {
        assumeTrue(accel != Accel.KVM || Accel.detect() == Accel.KVM, "KVM is not available here");
        qemu = new QemuFixture(dir.resolve("vms"), accel);
        Path image = DirtyGuestImage.writeDiskImage(spec, dir.resolve("guest.img"));
        process = qemu.start(new VmSpec("guest", MEMORY_MIB, 1, image), Role.SOURCE, "i1");
        return GuestUnderTest.attachBooted(process, spec, dir);
    }

    @ParameterizedTest
    @EnumSource(Accel.class)
    void pacedGuestStaysConsistentDirtiesAtTheRequestedRateAndHaltsBetweenItsTicks(Accel accel) throws Exception {
        DirtyGuestSpec spec = DirtyGuestSpec.forRate(PACED_RATE, MEMORY_BYTES);
        try (GuestUnderTest guest = boot(accel, spec)) {
            GuestUnderTest.Dump first = guest.dumpRunning();
            long cpu0 = cpuTicks(process.pid());
            long t0 = System.nanoTime();
            Thread.sleep(MEASURE_MILLIS);
            double cores = (cpuTicks(process.pid()) - cpu0) / (double) CLOCK_TICKS_PER_SECOND
                    / ((System.nanoTime() - t0) / 1e9);
            GuestUnderTest.Dump second = guest.dumpRunning();
            long sampledMiBps = guest.qemuDirtyRateMiBps();

            for (GuestUnderTest.Dump dump : new GuestUnderTest.Dump[] {first, second}) {
                ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump.file(), spec);
                assertTrue(result.consistent(), result.explanation());
            }
            double measured = guest.measuredBytesPerSecond(first, second);
            double target = spec.bytesPerSecond();
            LOG.info("{} paced {} B/s: dumps say {} MiB/s, calc-dirty-rate says {} MiB/s (target {} MiB/s); QEMU used {} cores",
                    accel, spec.bytesPerSecond(), round(measured / MIB), sampledMiBps, round(target / MIB), round(cores));
            assertTrue(measured >= PACED_MIN * target && measured <= PACED_MAX * target,
                    "measured " + measured + " B/s for a target of " + target);
            assertTrue(sampledMiBps >= SAMPLED_MIN * target / MIB && sampledMiBps <= SAMPLED_MAX * target / MIB,
                    "calc-dirty-rate says " + sampledMiBps + " MiB/s for a target of " + target / MIB);
            assertTrue(cores < PACED_MAX_CORES, "QEMU used " + cores + " cores for a guest paced at "
                    + target / MIB + " MiB/s: its vCPU spins instead of halting between ticks");
        }
    }

    /**
     * A paced guest halts until its next tick instead of spinning, so it costs its host core little: a spinning one
     * keeps a whole core busy (~1.0 here), which on a small host starves QEMU's migration thread and the control plane.
     */
    private static final double PACED_MAX_CORES = 0.5;

    /** USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux architecture QEMU/KVM hosts run. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** utime + stime of a process, in clock ticks, from /proc/PID/stat (fields 14 and 15). */
    private static long cpuTicks(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15, counted from 3
    }

    @ParameterizedTest
    @EnumSource(Accel.class)
    void flatOutGuestDirtiesFarFasterThanAPacedOne(Accel accel) throws Exception {
        DirtyGuestSpec spec = DirtyGuestSpec.flatOut(MEMORY_BYTES);
        try (GuestUnderTest guest = boot(accel, spec)) {
            GuestUnderTest.Dump first = guest.dumpRunning();
            Thread.sleep(MEASURE_MILLIS);
            GuestUnderTest.Dump second = guest.dumpRunning();
            long sampledMiBps = guest.qemuDirtyRateMiBps();

            assertTrue(ConsistencyCheck.checkDump(second.file(), spec).consistent());
            double measured = guest.measuredBytesPerSecond(first, second);
            LOG.info("{} flat out: dumps say {} MiB/s of page writes, calc-dirty-rate says {} MiB/s "
                    + "(at most the {} MiB range per second)", accel, round(measured / MIB), sampledMiBps,
                    spec.pages() * DirtyGuestSpec.PAGE_SIZE / MIB);
            assertTrue(measured > 5 * PACED_RATE, "flat out wrote only " + measured / MIB + " MiB/s");
            assertTrue(sampledMiBps > 2 * PACED_RATE / MIB, "calc-dirty-rate says only " + sampledMiBps + " MiB/s");
        }
    }

    @ParameterizedTest
    @EnumSource(Accel.class)
    void idleGuestRunsButDirtiesNothing(Accel accel) throws Exception {
        DirtyGuestSpec spec = DirtyGuestSpec.idle();
        try (GuestUnderTest guest = boot(accel, spec)) {
            assertEquals("running", guest.qmp().status(), "a halted vCPU still counts as running");
            GuestUnderTest.Dump dump = guest.dumpRunning();
            assertEquals(1, ConsistencyCheck.sweepCount(dump.file()), "sweep 1 ran over the empty range, and no other");
            assertTrue(guest.qemuDirtyRateMiBps() <= 1);
        }
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
