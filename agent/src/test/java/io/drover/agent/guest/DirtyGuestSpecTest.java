package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DirtyGuestSpecTest {

    private static final long MIB = 1L << 20;

    @Test
    void idleDirtiesNothing() {
        DirtyGuestSpec idle = DirtyGuestSpec.idle();
        assertTrue(idle.isIdle());
        assertFalse(idle.isFlatOut());
        assertEquals(0, idle.pages());
        assertEquals(0, idle.bytesPerSecond());
    }

    @Test
    void flatOutCoversRamFromOneMibToBelowTheTopReserve() {
        DirtyGuestSpec spec = DirtyGuestSpec.flatOut(128 * MIB);
        assertEquals(new DirtyGuestSpec(MIB, 124 * MIB, 0), spec);
        assertTrue(spec.isFlatOut());
        assertEquals(123 * 256, spec.pages());
        assertEquals(DirtyGuestSpec.UNBOUNDED, spec.bytesPerSecond());
    }

    @Test
    void forRateRoundsToWholePagesPerTick() {
        DirtyGuestSpec spec = DirtyGuestSpec.forRate(40 * MIB, 128 * MIB);
        assertEquals(10, spec.pagesPerTick()); // 41943040 / (4096 * 1000) = 10.24
        assertEquals(10L * 4096 * 1000, spec.bytesPerSecond());
        assertEquals(124 * MIB, spec.endAddress());
        assertFalse(spec.isFlatOut() || spec.isIdle());
    }

    @Test
    void forRateRefusesRatesBelowHalfAPagePerTick() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirtyGuestSpec.forRate(2_000_000, 128 * MIB));
        assertEquals("dirty rate 2000000 B/s is below the lowest paced rate, one page per tick (4096000 B/s); "
                + "use idle()", e.getMessage());
        assertEquals(1, DirtyGuestSpec.forRate(2_048_000, 128 * MIB).pagesPerTick());
    }

    @Test
    void rangeEndsAtTwoGibForLargeGuests() {
        assertEquals(DirtyGuestSpec.MAX_END_ADDRESS, DirtyGuestSpec.flatOut(16L << 30).endAddress());
    }

    @Test
    void rejectsRamTooSmallForARange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirtyGuestSpec.flatOut(5 * MIB));
        assertTrue(e.getMessage().startsWith("guest RAM of 5242880 bytes is too small"), e.getMessage());
    }

    @Test
    void rejectsStartInLowMemory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(0x7000, 4 * MIB, 0));
        assertEquals("startAddress 0x7000 is below 1 MiB (0x100000): low memory holds the guest's code and BIOS data",
                e.getMessage());
    }

    @Test
    void rejectsUnalignedAddresses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(MIB, 4 * MIB + 1, 0));
        assertEquals("endAddress 0x400001 is not 4 KiB aligned", e.getMessage());
    }

    @Test
    void rejectsAnEndBelowTheStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(4 * MIB, 2 * MIB, 0));
        assertEquals("endAddress 0x200000 is below startAddress 0x400000", e.getMessage());
    }

    @Test
    void rejectsAnEndAboveTwoGib() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(MIB, 3L << 30, 0));
        assertTrue(e.getMessage().startsWith("endAddress 0xc0000000 is above 2 GiB"), e.getMessage());
    }

    @Test
    void rejectsNegativePacing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(MIB, 2 * MIB, -1));
        assertEquals("pagesPerTick -1 is negative (0 means flat out)", e.getMessage());
    }

    @Test
    void rejectsPacingAnEmptyRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DirtyGuestSpec(MIB, MIB, 3));
        assertEquals("an empty range (idle guest) takes pagesPerTick 0, not 3", e.getMessage());
    }
}
