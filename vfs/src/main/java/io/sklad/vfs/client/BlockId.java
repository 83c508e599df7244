package io.sklad.vfs.client;

import java.util.HexFormat;
import java.util.Objects;

/**
 * The address of a stored block: SHA-256 of its stored bytes, kept as lowercase hex so that it is a plain
 * immutable value (usable as a map key and as a cache file name).
 */
public record BlockId(String hex) implements Comparable<BlockId> {

    public static final int LENGTH = 32;

    public BlockId {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != LENGTH * 2) {
            throw new IllegalArgumentException("block id must be " + LENGTH + " bytes, got hex of length " + hex.length());
        }
        hex = hex.toLowerCase(java.util.Locale.ROOT);
        HexFormat.of().parseHex(hex);
    }

    public static BlockId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("block id must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new BlockId(HexFormat.of().formatHex(bytes));
    }

    public byte[] toBytes() {
        return HexFormat.of().parseHex(hex);
    }

    /** A short form for logs and messages. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(BlockId o) {
        return hex.compareTo(o.hex);
    }

    @Override
    public String toString() {
        return hex;
    }
}
