package io.drover.agent.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Builds boot images of Drover's memory-dirtying test guest: a 512-byte x86 boot sector
 * (source: {@code agent/src/main/guest/dirty-guest.S}) with a {@link DirtyGuestSpec} patched into
 * its parameter block.
 *
 * <p>Booted by SeaBIOS, the guest enters 32-bit protected mode, zeroes the first byte of every page
 * of its range, prints {@link #SERIAL_BANNER} on COM1, then sweeps the range forever: each sweep
 * increments a 32-bit counter at {@link #SWEEP_COUNTER_ADDRESS} and writes its low byte into the
 * first byte of every page. {@link ConsistencyCheck} verifies a memory dump against that pattern.
 * Paced guests poll PIT channel 0 and write at most {@code pagesPerTick} pages per tick of
 * {@link #TICK_HZ}.
 */
public final class DirtyGuestImage {

    /** Frequency of the PC's PIT input clock in Hz, fixed by the architecture. */
    static final int PIT_INPUT_HZ = 1_193_182;

    /** Pacing ticks per second (the exact rate is 1000.15 Hz: 1193 PIT clocks per tick). */
    public static final int TICK_HZ = PIT_INPUT_HZ / DirtyGuestBootBlock.TICK_CLOCKS;

    /** Size of the boot sector. */
    public static final int SECTOR_SIZE = 512;

    /** Size of the raw disk image: 1 MiB, a whole number of sectors every BIOS and tool accepts. */
    public static final long DISK_IMAGE_SIZE = 1L << 20;

    /** What the guest prints on its first serial port once its range is zeroed and it starts dirtying. */
    public static final String SERIAL_BANNER = "DROVER-GUEST-UP\n";

    /** Guest-physical address of the little-endian u32 count of sweeps started. */
    public static final long SWEEP_COUNTER_ADDRESS = DirtyGuestBootBlock.SWEEP_COUNTER_ADDRESS;

    private DirtyGuestImage() {
    }

    /** Returns the 512-byte boot sector configured with {@code spec}. */
    public static byte[] bootSector(DirtyGuestSpec spec) {
        byte[] sector = DirtyGuestBootBlock.bytes();
        ByteBuffer params = ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN);
        params.putInt(DirtyGuestBootBlock.PARAM_START_OFFSET, (int) spec.startAddress());
        params.putInt(DirtyGuestBootBlock.PARAM_END_OFFSET, (int) spec.endAddress());
        params.putInt(DirtyGuestBootBlock.PARAM_PAGES_PER_TICK_OFFSET, spec.pagesPerTick());
        return sector;
    }

    /**
     * Writes a raw disk image of {@link #DISK_IMAGE_SIZE} bytes, the boot sector followed by zeros,
     * replacing {@code file} if it exists; boot it with {@code -drive file=...,format=raw,if=ide}.
     *
     * @return {@code file}
     * @throws UncheckedIOException if the file cannot be written
     */
    public static Path writeDiskImage(DirtyGuestSpec spec, Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer sector = ByteBuffer.wrap(bootSector(spec));
            while (sector.hasRemaining()) {
                channel.write(sector);
            }
            // Extend with one zero byte at the end; the file system keeps the gap sparse.
            channel.write(ByteBuffer.allocate(1), DISK_IMAGE_SIZE - 1);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dirty-guest disk image " + file, e);
        }
    }
}
