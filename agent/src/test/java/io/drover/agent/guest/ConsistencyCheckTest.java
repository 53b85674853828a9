package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConsistencyCheck on synthetic dumps; DirtyGuestOnQemuTest runs it on real ones. */
class ConsistencyCheckTest {

    private static final long MIB = 1L << 20;
    private static final int PAGES = 64;
    private static final DirtyGuestSpec SPEC = new DirtyGuestSpec(MIB, MIB + PAGES * DirtyGuestSpec.PAGE_SIZE, 5);

    @TempDir
    Path dir;

    /** A dump of guest memory whose sweep counter is {@code sweeps} and whose pages hold {@code firstBytes}. */
    private Path dump(long sweeps, int... firstBytes) throws IOException {
        ByteBuffer memory = ByteBuffer.allocate((int) SPEC.endAddress()).order(ByteOrder.LITTLE_ENDIAN);
        memory.putInt((int) DirtyGuestImage.SWEEP_COUNTER_ADDRESS, (int) sweeps);
        for (int page = 0; page < firstBytes.length; page++) {
            memory.put((int) (SPEC.startAddress() + (long) page * DirtyGuestSpec.PAGE_SIZE), (byte) firstBytes[page]);
            memory.put((int) (SPEC.startAddress() + (long) page * DirtyGuestSpec.PAGE_SIZE) + 1, (byte) 0x5a); // ignored
        }
        return Files.write(dir.resolve("dump-" + System.nanoTime()), memory.array());
    }

    /** First bytes of a sweep in progress: {@code ofX} pages of x, the rest x-1. */
    private static int[] pages(int x, int ofX) {
        int[] bytes = new int[PAGES];
        for (int page = 0; page < PAGES; page++) {
            bytes[page] = page < ofX ? x : (x - 1) & 0xff;
        }
        return bytes;
    }

    @Test
    void acceptsASweepInProgress() throws IOException {
        Path dump = dump(3, pages(3, 10));
        ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump, SPEC);

        assertTrue(result.consistent(), result.explanation());
        assertEquals(3, result.x());
        assertEquals(10, result.runOfX());
        assertEquals(54, result.runOfXMinus1());
        assertEquals("consistent: x=0x03 (sweep 3), 10 pages of x then 54 pages of x-1", result.explanation());
        assertEquals(2 * PAGES + 10, ConsistencyCheck.pagesWritten(dump, SPEC));
        assertEquals(3, ConsistencyCheck.sweepCount(dump));
    }

    @Test
    void acceptsAFinishedSweepAndAJustStartedOne() throws IOException {
        ConsistencyCheck.Result finished = ConsistencyCheck.checkDump(dump(7, pages(7, PAGES)), SPEC);
        assertTrue(finished.consistent(), finished.explanation());
        assertEquals(PAGES, finished.runOfX());

        Path justStarted = dump(8, pages(8, 0));
        ConsistencyCheck.Result started = ConsistencyCheck.checkDump(justStarted, SPEC);
        assertTrue(started.consistent(), started.explanation());
        assertEquals(0, started.runOfX());
        assertEquals(PAGES, started.runOfXMinus1());
        assertEquals(7 * PAGES, ConsistencyCheck.pagesWritten(justStarted, SPEC));
    }

    @Test
    void followsTheSweepByteAcrossItsWrap() throws IOException {
        ConsistencyCheck.Result wrapped = ConsistencyCheck.checkDump(dump(256, pages(0, 30)), SPEC);
        assertTrue(wrapped.consistent(), wrapped.explanation());
        assertEquals(0, wrapped.x());
        assertEquals(34, wrapped.runOfXMinus1());

        Path afterWrap = dump(0x1_0000_0101L, pages(1, 5)); // u32 counter: only its low 32 bits exist
        assertTrue(ConsistencyCheck.checkDump(afterWrap, SPEC).consistent());
    }

    @Test
    void acceptsAGuestThatHasNotStartedSweeping() throws IOException {
        Path dump = dump(0, pages(0, PAGES));
        assertTrue(ConsistencyCheck.checkDump(dump, SPEC).consistent());
        assertEquals(0, ConsistencyCheck.pagesWritten(dump, SPEC));
    }

    @Test
    void flagsALostPageWrite() throws IOException {
        int[] bytes = pages(3, 10);
        bytes[20] = 1; // the page missed sweep 2's write
        ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump(3, bytes), SPEC);

        assertFalse(result.consistent());
        assertEquals(10, result.runOfX());
        assertEquals(10, result.runOfXMinus1());
        assertEquals("page 0x114000 (page 20 of 64) holds 0x01, expected 0x02 (x-1, as the pages before it); "
                + "sweep counter 3, 10 pages of x and 10 of x-1 before it", result.explanation());
    }

    @Test
    void flagsANewerPageAfterAnOlderOne() throws IOException {
        int[] bytes = pages(3, 10);
        bytes[40] = 3;
        ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump(3, bytes), SPEC);
        assertFalse(result.consistent());
        assertTrue(result.explanation().startsWith("page 0x128000 (page 40 of 64) holds 0x03"), result.explanation());
    }

    @Test
    void flagsPagesThatDisagreeWithTheSweepCounter() throws IOException {
        ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump(5, pages(3, 10)), SPEC);
        assertFalse(result.consistent());
        assertEquals("page 0x100000 (page 0 of 64) holds 0x03, expected 0x05 (x) or 0x04 (x-1); sweep counter 5, "
                + "0 pages of x and 0 of x-1 before it", result.explanation());
        assertThrows(IllegalStateException.class, () -> ConsistencyCheck.pagesWritten(dump(5, pages(3, 10)), SPEC));
    }

    @Test
    void anIdleGuestHasNothingToCheck() throws IOException {
        ConsistencyCheck.Result result = ConsistencyCheck.checkDump(dump(0), DirtyGuestSpec.idle());
        assertTrue(result.consistent());
        assertEquals(0, result.runOfX() + result.runOfXMinus1());
    }

    @Test
    void rejectsADumpThatStopsShortOfTheRange() throws IOException {
        Path shortDump = Files.write(dir.resolve("short"), new byte[(int) MIB]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsistencyCheck.checkDump(shortDump, SPEC));
        assertTrue(e.getMessage().endsWith("has 1048576 bytes but must cover guest-physical [0, 0x140000)"),
                e.getMessage());
    }
}
