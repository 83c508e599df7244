package io.sklad.metadata.store;

/**
 * Which moment of the namespace to read: now, a transaction id, or a wall-clock time
 * (meaning the last tx at or before it).
 */
public record AsOf(long tx, long millis) {
    private static final AsOf NOW = new AsOf(0, 0);

    public static AsOf now() {
        return NOW;
    }

    public static AsOf tx(long tx) {
        return new AsOf(tx, 0);
    }

    public static AsOf millis(long millis) {
        return new AsOf(0, millis);
    }

    public boolean isNow() {
        return tx <= 0 && millis <= 0;
    }
}
