package io.sklad.cli.io;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long transfers: percent, bytes, MB/s and time left.
 * Draws only on a terminal (or when forced), at most a few times a second.
 */
public final class ProgressBar implements AutoCloseable {

    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastDraw;

    public ProgressBar(PrintStream out, String label, long total, boolean enabled) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /** Enabled when stderr is a terminal, or SKLAD_PROGRESS=1 forces it. */
    public static boolean wanted() {
        String forced = System.getenv("SKLAD_PROGRESS");
        if (forced != null) {
            return !forced.equals("0");
        }
        return System.console() != null;
    }

    public void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (enabled && now - lastDraw > REDRAW_NANOS) {
            lastDraw = now;
            draw(now);
        }
    }

    public long done() {
        return done;
    }

    /** Seconds since start. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void draw(long now) {
        double secs = Math.max((now - startNanos) / 1e9, 1e-3);
        double rate = done / secs;
        int width = 30;
        int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String pct = total > 0 ? String.format(Locale.ROOT, "%3d%%", 100 * done / total) : "   ";
        String eta = total > 0 && rate > 0 ? formatDuration((total - done) / rate) : "--:--";
        out.printf(Locale.ROOT, "\r%s [%s] %s %s/%s %s/s eta %s ", label, bar, pct,
                Units.bytes(done), Units.bytes(total), Units.bytes((long) rate), eta);
        out.flush();
    }

    private static String formatDuration(double seconds) {
        long s = (long) seconds;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        if (enabled) {
            draw(System.nanoTime());
            out.println();
        }
    }
}
