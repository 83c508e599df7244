package io.sklad.cli.io;

import java.util.Locale;

/** Human sizes (binary units) for output and parsing of sizes like "64KiB", "4M". */
public final class Units {

    private Units() {
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[i]);
    }

    /** Parses "65536", "64k", "64KiB", "4M", "1GiB" (binary multiples). */
    public static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long mult = 1;
        if (!t.isEmpty()) {
            char last = t.charAt(t.length() - 1);
            int shift = switch (last) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                mult = 1L << shift;
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(t.trim()), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (examples: 65536, 64KiB, 4MiB)");
        }
    }
}
