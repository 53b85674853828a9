package io.drover.agent.guest;

/**
 * What the dirty guest ({@link DirtyGuestImage}) dirties: the first byte of every 4 KiB page in
 * {@code [startAddress, endAddress)}, at most {@code pagesPerTick} pages per pacing tick of
 * {@link DirtyGuestImage#TICK_HZ}, or as fast as it can when {@code pagesPerTick} is 0.
 * An empty range ({@code startAddress == endAddress}) is an idle guest that dirties nothing.
 *
 * <p>Addresses are guest-physical. The range must lie in the guest's RAM; {@link #flatOut} and
 * {@link #forRate} derive a safe range from the RAM size.
 *
 * @param startAddress first page of the range, page aligned, at least {@link #MIN_START_ADDRESS}
 * @param endAddress end of the range (exclusive), page aligned, at most {@link #MAX_END_ADDRESS}
 * @param pagesPerTick pages written per tick; 0 means flat out (unpaced)
 */
public record DirtyGuestSpec(long startAddress, long endAddress, int pagesPerTick) {

    /** Size of an x86 page, the unit of dirty tracking in QEMU migration. */
    public static final int PAGE_SIZE = 4096;

    /**
     * Lowest start address, 1 MiB: below it live the real-mode IVT and BIOS data, the guest's own
     * code (0x7c00) and counters (0x500), and the VGA and BIOS ROM holes (0xA0000 to 0xFFFFF).
     */
    public static final long MIN_START_ADDRESS = 1L << 20;

    /**
     * Highest end address, 2 GiB: the guest runs in 32-bit mode without paging, and QEMU's q35
     * machine maps at most 2 GiB of RAM below 4 GiB (i440fx 3.5 GiB); the rest lives above 4 GiB.
     */
    public static final long MAX_END_ADDRESS = 2L << 30;

    /**
     * RAM left alone at its top by {@link #flatOut} and {@link #forRate}: SeaBIOS keeps its
     * ACPI and SMBIOS tables and its own high memory zone there.
     */
    public static final long TOP_OF_RAM_RESERVE = 4L << 20;

    /** {@link #bytesPerSecond()} of a flat-out spec: no bound is known in advance. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    /** Validates the spec; see the class documentation for the rules. */
    public DirtyGuestSpec {
        requirePageAligned("startAddress", startAddress);
        requirePageAligned("endAddress", endAddress);
        if (startAddress < MIN_START_ADDRESS) {
            throw new IllegalArgumentException(String.format(
                    "startAddress 0x%x is below 1 MiB (0x%x): low memory holds the guest's code and BIOS data",
                    startAddress, MIN_START_ADDRESS));
        }
        if (endAddress < startAddress) {
            throw new IllegalArgumentException(String.format(
                    "endAddress 0x%x is below startAddress 0x%x", endAddress, startAddress));
        }
        if (endAddress > MAX_END_ADDRESS) {
            throw new IllegalArgumentException(String.format(
                    "endAddress 0x%x is above 2 GiB (0x%x): a 32-bit guest without paging cannot reach "
                            + "RAM that QEMU maps above 4 GiB", endAddress, MAX_END_ADDRESS));
        }
        if (pagesPerTick < 0) {
            throw new IllegalArgumentException("pagesPerTick " + pagesPerTick + " is negative (0 means flat out)");
        }
        if (startAddress == endAddress && pagesPerTick != 0) {
            throw new IllegalArgumentException("an empty range (idle guest) takes pagesPerTick 0, not " + pagesPerTick);
        }
    }

    /** A guest that boots, prints its banner and halts, dirtying no memory. */
    public static DirtyGuestSpec idle() {
        return new DirtyGuestSpec(MIN_START_ADDRESS, MIN_START_ADDRESS, 0);
    }

    /**
     * A guest that dirties all its usable RAM as fast as it can.
     *
     * @param memBytes the guest's RAM size in bytes
     */
    public static DirtyGuestSpec flatOut(long memBytes) {
        return new DirtyGuestSpec(MIN_START_ADDRESS, usableEnd(memBytes), 0);
    }

    /**
     * A guest that dirties its usable RAM at about {@code bytesPerSecond}, rounded to a whole
     * number of pages per tick (steps of {@code PAGE_SIZE * TICK_HZ}, about 4 MB/s); see
     * {@link #bytesPerSecond()} for the rate actually configured.
     *
     * @param bytesPerSecond the wanted dirty rate, at least half a page per tick
     * @param memBytes the guest's RAM size in bytes
     */
    public static DirtyGuestSpec forRate(long bytesPerSecond, long memBytes) {
        long bytesPerTickStep = (long) PAGE_SIZE * DirtyGuestImage.TICK_HZ;
        long pagesPerTick = Math.round((double) bytesPerSecond / bytesPerTickStep);
        if (pagesPerTick < 1) {
            throw new IllegalArgumentException(String.format(
                    "dirty rate %d B/s is below the lowest paced rate, one page per tick (%d B/s); use idle()",
                    bytesPerSecond, bytesPerTickStep));
        }
        if (pagesPerTick > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dirty rate " + bytesPerSecond + " B/s is too high to pace; use flatOut()");
        }
        return new DirtyGuestSpec(MIN_START_ADDRESS, usableEnd(memBytes), (int) pagesPerTick);
    }

    /** Number of pages in the range. */
    public long pages() {
        return (endAddress - startAddress) / PAGE_SIZE;
    }

    /**
     * The configured dirty rate in bytes per second (pages per tick times page size times
     * {@link DirtyGuestImage#TICK_HZ}); 0 when idle, {@link #UNBOUNDED} when flat out.
     */
    public long bytesPerSecond() {
        if (isIdle()) {
            return 0;
        }
        if (isFlatOut()) {
            return UNBOUNDED;
        }
        return (long) pagesPerTick * PAGE_SIZE * DirtyGuestImage.TICK_HZ;
    }

    /** True when the range is empty: the guest dirties nothing. */
    public boolean isIdle() {
        return startAddress == endAddress;
    }

    /** True when the guest dirties a non-empty range without pacing. */
    public boolean isFlatOut() {
        return !isIdle() && pagesPerTick == 0;
    }

    private static long usableEnd(long memBytes) {
        long end = Math.min(memBytes - TOP_OF_RAM_RESERVE, MAX_END_ADDRESS) / PAGE_SIZE * PAGE_SIZE;
        if (end <= MIN_START_ADDRESS) {
            throw new IllegalArgumentException(String.format(
                    "guest RAM of %d bytes is too small: need more than %d bytes (1 MiB of low memory plus "
                            + "%d bytes reserved at the top)",
                    memBytes, MIN_START_ADDRESS + TOP_OF_RAM_RESERVE, TOP_OF_RAM_RESERVE));
        }
        return end;
    }

    private static void requirePageAligned(String name, long address) {
        if (address % PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format("%s 0x%x is not 4 KiB aligned", name, address));
        }
    }
}
