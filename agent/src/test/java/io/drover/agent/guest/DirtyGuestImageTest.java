package io.drover.agent.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirtyGuestImageTest {

    private static final DirtyGuestSpec SPEC = new DirtyGuestSpec(1L << 20, 100L << 20, 7);

    @Test
    void bootSectorIsOneSectorWithTheBootSignature() {
        byte[] sector = DirtyGuestImage.bootSector(SPEC);
        assertEquals(DirtyGuestImage.SECTOR_SIZE, sector.length);
        assertEquals((byte) 0x55, sector[510]);
        assertEquals((byte) 0xaa, sector[511]);
    }

    @Test
    void parametersArePatchedLittleEndianBeforeTheSignature() {
        ByteBuffer sector = ByteBuffer.wrap(DirtyGuestImage.bootSector(SPEC)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x100000, sector.getInt(DirtyGuestBootBlock.PARAM_START_OFFSET));
        assertEquals(0x6400000, sector.getInt(DirtyGuestBootBlock.PARAM_END_OFFSET));
        assertEquals(7, sector.getInt(DirtyGuestBootBlock.PARAM_PAGES_PER_TICK_OFFSET));
        assertTrue(DirtyGuestBootBlock.PARAM_PAGES_PER_TICK_OFFSET + Integer.BYTES <= 510);
    }

    @Test
    void patchingChangesOnlyTheParameterBlock() {
        byte[] idle = DirtyGuestImage.bootSector(DirtyGuestSpec.idle());
        byte[] busy = DirtyGuestImage.bootSector(SPEC);
        int parameters = DirtyGuestBootBlock.PARAM_START_OFFSET;
        assertArrayEquals(Arrays.copyOf(idle, parameters), Arrays.copyOf(busy, parameters));
    }

    @Test
    void sectorCarriesTheSerialBanner() {
        String text = new String(DirtyGuestImage.bootSector(SPEC), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(DirtyGuestImage.SERIAL_BANNER));
    }

    @Test
    void ticksAreOneKilohertz() {
        assertEquals(1000, DirtyGuestImage.TICK_HZ);
    }

    @Test
    void diskImageIsTheBootSectorPaddedToOneMib(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("guest.img");
        Files.write(image, new byte[5 << 20]); // a longer previous image is replaced

        assertEquals(image, DirtyGuestImage.writeDiskImage(SPEC, image));
        byte[] content = Files.readAllBytes(image);
        assertEquals(DirtyGuestImage.DISK_IMAGE_SIZE, content.length);
        assertArrayEquals(DirtyGuestImage.bootSector(SPEC), Arrays.copyOf(content, DirtyGuestImage.SECTOR_SIZE));
        for (int i = DirtyGuestImage.SECTOR_SIZE; i < content.length; i++) {
            assertEquals(0, content[i]);
        }
    }
}
