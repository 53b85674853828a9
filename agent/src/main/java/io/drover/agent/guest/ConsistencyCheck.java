package io.drover.agent.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks a physical-memory dump of a running (or migrated) dirty guest against the pattern it
 * writes: with x the low byte of the sweep counter at {@link DirtyGuestImage#SWEEP_COUNTER_ADDRESS},
 * the first bytes of the pages of the range must be a run of x followed by a run of x-1 (mod 256),
 * either run possibly empty. A page that breaks the pattern means memory was lost or torn, e.g. by
 * a migration that missed a dirty page.
 *
 * <p>The dump is a file whose byte at offset a is guest-physical address a, as written by QMP
 * {@code pmemsave {"val": 0, "size": endAddress, ...}} while the VM is stopped; it must cover at
 * least {@code [0, spec.endAddress())}. Take it only after the guest printed
 * {@link DirtyGuestImage#SERIAL_BANNER}: before that the range still holds the BIOS's leftovers.
 */
public final class ConsistencyCheck {

    /** Bytes read from the dump at a time: a whole number of pages, large enough to stream fast. */
    private static final int CHUNK_SIZE = 1 << 20;

    private static final int BYTE_MASK = 0xff;

    /**
     * Outcome of a check.
     *
     * @param consistent whether the pages follow the pattern
     * @param x the current sweep byte (low byte of the sweep counter)
     * @param runOfX length in pages of the leading run of x
     * @param runOfXMinus1 length in pages of the run of x-1 that follows (up to the first bad page)
     * @param explanation what was found, naming the first bad page if any
     */
    public record Result(boolean consistent, int x, long runOfX, long runOfXMinus1, String explanation) {
    }

    private ConsistencyCheck() {
    }

    /**
     * Checks {@code physMemDump} against the pattern of a guest running {@code spec}.
     *
     * @throws IllegalArgumentException if the dump is shorter than {@code spec.endAddress()}
     * @throws UncheckedIOException if the dump cannot be read
     */
    public static Result checkDump(Path physMemDump, DirtyGuestSpec spec) {
        return analyse(physMemDump, spec).result();
    }

    /**
     * Returns the guest's count of sweeps started, read from a dump.
     *
     * @throws UncheckedIOException if the dump cannot be read or is too short
     */
    public static long sweepCount(Path physMemDump) {
        try (FileChannel dump = FileChannel.open(physMemDump, StandardOpenOption.READ)) {
            requireCovers(dump, physMemDump, DirtyGuestImage.SWEEP_COUNTER_ADDRESS + Integer.BYTES);
            return readSweepCounter(dump);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read memory dump " + physMemDump, e);
        }
    }

    /**
     * Returns how many page writes the guest had done since it started sweeping (the zeroing pass
     * before the banner not counted): the difference between two dumps, times
     * {@link DirtyGuestSpec#PAGE_SIZE}, over the time the guest ran between them, is its dirty rate.
     *
     * @throws IllegalStateException if the dump is not consistent
     */
    public static long pagesWritten(Path physMemDump, DirtyGuestSpec spec) {
        Analysis analysis = analyse(physMemDump, spec);
        Result result = analysis.result();
        if (!result.consistent()) {
            throw new IllegalStateException("cannot count page writes in an inconsistent dump: " + result.explanation());
        }
        return analysis.sweeps() == 0 ? 0 : (analysis.sweeps() - 1) * spec.pages() + result.runOfX();
    }

    /** A check's result with the full sweep counter it was made against. */
    private record Analysis(Result result, long sweeps) {
    }

    private static Analysis analyse(Path physMemDump, DirtyGuestSpec spec) {
        try (FileChannel dump = FileChannel.open(physMemDump, StandardOpenOption.READ)) {
            requireCovers(dump, physMemDump, spec.endAddress());
            long sweeps = readSweepCounter(dump);
            return new Analysis(scan(dump, spec, (int) (sweeps & BYTE_MASK), sweeps), sweeps);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read memory dump " + physMemDump, e);
        }
    }

    private static Result scan(FileChannel dump, DirtyGuestSpec spec, int x, long sweeps) throws IOException {
        int xMinus1 = (x - 1) & BYTE_MASK;
        long pages = spec.pages();
        long runOfX = 0;
        long runOfXMinus1 = 0;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_SIZE);
        for (long page = 0; page < pages; page++) {
            long address = spec.startAddress() + page * DirtyGuestSpec.PAGE_SIZE;
            int offsetInChunk = (int) ((page * DirtyGuestSpec.PAGE_SIZE) % CHUNK_SIZE);
            if (offsetInChunk == 0) {
                readFully(dump, chunk, address);
            }
            int value = chunk.get(offsetInChunk) & BYTE_MASK;
            if (value == x && runOfXMinus1 == 0) {
                runOfX++;
            } else if (value == xMinus1) {
                runOfXMinus1++;
            } else {
                String expected = runOfXMinus1 == 0
                        ? String.format("0x%02x (x) or 0x%02x (x-1)", x, xMinus1)
                        : String.format("0x%02x (x-1, as the pages before it)", xMinus1);
                return new Result(false, x, runOfX, runOfXMinus1, String.format(
                        "page 0x%x (page %d of %d) holds 0x%02x, expected %s; sweep counter %d, "
                                + "%d pages of x and %d of x-1 before it",
                        address, page, pages, value, expected, sweeps, runOfX, runOfXMinus1));
            }
        }
        return new Result(true, x, runOfX, runOfXMinus1, String.format(
                "consistent: x=0x%02x (sweep %d), %d pages of x then %d pages of x-1",
                x, sweeps, runOfX, runOfXMinus1));
    }

    private static long readSweepCounter(FileChannel dump) throws IOException {
        ByteBuffer counter = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(dump, counter, DirtyGuestImage.SWEEP_COUNTER_ADDRESS);
        return Integer.toUnsignedLong(counter.getInt(0));
    }

    private static void requireCovers(FileChannel dump, Path file, long end) throws IOException {
        if (dump.size() < end) {
            throw new IllegalArgumentException(String.format(
                    "memory dump %s has %d bytes but must cover guest-physical [0, 0x%x)", file, dump.size(), end));
        }
    }

    /** Fills {@code buffer} from {@code position}, or as much as the file holds from there. */
    private static void readFully(FileChannel dump, ByteBuffer buffer, long position) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            int read = dump.read(buffer, position + buffer.position());
            if (read < 0) {
                break;
            }
        }
    }
}
