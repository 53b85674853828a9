package io.drover.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints byte sizes and rates the way operators write them: 512MiB, 40MiB/s, 1.5G, 100M/s. */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(i?)B?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** Bytes in {@code text} ("512MiB", "4k", "1G", "1048576"). Decimal units (MB) are powers of 1000. */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 4096, 64KiB, 512MiB, 2GiB)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        boolean binary = !m.group(3).isEmpty() || unit.isEmpty() || text.trim().matches("(?i).*\\d\\s*[KMGT]");
        double base = binary ? 1024 : 1000;
        int exp = "KMGT".indexOf(unit) + 1;
        return Math.round(n * Math.pow(base, exp));
    }

    /** Bytes per second in {@code text} ("40MiB/s", "32M/s", "1GiB/s"); the "/s" is optional. */
    public static long parseRate(String text) {
        String t = text.trim();
        if (t.toLowerCase(Locale.ROOT).endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        try {
            return parseBytes(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate (examples: 40MiB/s, 1GiB/s, 500KiB/s)");
        }
    }

    /** "112.4 MiB". */
    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** "40.0 MiB/s". */
    public static String rate(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }
}
