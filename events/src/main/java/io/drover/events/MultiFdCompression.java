package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code MultiFDCompression} (QAPI, since 5.0): the value of the {@code multifd-compression}
 * migration parameter. {@code qpl} and {@code uadk} came with QEMU 9.1.
 */
public final class MultiFdCompression extends OpenEnum<MultiFdCompression> {

    private static final Values<MultiFdCompression> VALUES = new Values<>(MultiFdCompression::new);

    /** No compression. */
    public static final MultiFdCompression NONE = VALUES.known("none");

    /** zlib compression. */
    public static final MultiFdCompression ZLIB = VALUES.known("zlib");

    /** zstd compression (when QEMU is built with it). */
    public static final MultiFdCompression ZSTD = VALUES.known("zstd");

    /** Intel QPL/IAA accelerated compression (9.1). */
    public static final MultiFdCompression QPL = VALUES.known("qpl");

    /** UADK library compression (9.1). */
    public static final MultiFdCompression UADK = VALUES.known("uadk");

    private MultiFdCompression(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MultiFdCompression of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<MultiFdCompression> values() {
        return VALUES.values();
    }
}
