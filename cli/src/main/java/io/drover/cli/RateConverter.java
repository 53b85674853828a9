package io.drover.cli;

import picocli.CommandLine;

/** picocli converters for sizes and rates. */
final class RateConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return Sizes.parseRate(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parseBytes(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** "idle", "max" (flat out) or a rate. Returns -1 for max, 0 for idle. */
    static final class DirtyRate implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.equalsIgnoreCase("idle") || value.equals("0")) return 0L;
            if (value.equalsIgnoreCase("max")) return -1L;
            return new RateConverter().convert(value);
        }
    }
}
