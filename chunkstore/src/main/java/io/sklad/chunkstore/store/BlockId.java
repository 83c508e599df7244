package io.sklad.chunkstore.store;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A block's address: the SHA-256 of its stored bytes, kept as four longs so an index entry costs
 * 32 bytes of key plus one object header (48 bytes in all) instead of a wrapped {@code byte[]}.
 */
public record BlockId(long h0, long h1, long h2, long h3) implements Comparable<BlockId> {

    /** Length of an id in bytes. */
    public static final int BYTES = 32;

    private static final HexFormat HEX = HexFormat.of();

    /** The id held in the 32 bytes {@code bytes[offset .. offset+32)}. */
    public static BlockId of(byte[] bytes, int offset) {
        if (bytes.length - offset < BYTES) {
            throw new IllegalArgumentException("a block id is 32 bytes, got " + (bytes.length - offset));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, BYTES);
        return new BlockId(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    /** The id held in exactly 32 bytes. */
    public static BlockId of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a block id is 32 bytes, got " + bytes.length);
        }
        return of(bytes, 0);
    }

    /** Parses 64 hex digits. */
    public static BlockId fromHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a block id is 64 hex digits: " + hex);
        }
        return of(HEX.parseHex(hex));
    }

    /** The id of {@code data}: its SHA-256. */
    public static BlockId sha256(byte[] data, int offset, int length) {
        return of(Sha256.digest(data, offset, length));
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(h0).putLong(h1).putLong(h2).putLong(h3).array();
    }

    void writeTo(ByteBuffer buffer) {
        buffer.putLong(h0).putLong(h1).putLong(h2).putLong(h3);
    }

    static BlockId readFrom(ByteBuffer buffer) {
        return new BlockId(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    public String toHex() {
        return HEX.formatHex(toBytes());
    }

    @Override
    public int hashCode() {
        // SHA-256 bits are uniform: any 32 of them make a perfect hash.
        return (int) h0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockId other
                && h0 == other.h0 && h1 == other.h1 && h2 == other.h2 && h3 == other.h3;
    }

    @Override
    public int compareTo(BlockId o) {
        // Unsigned, so the order matches the order of the hex strings.
        int c = Long.compareUnsigned(h0, o.h0);
        if (c == 0) c = Long.compareUnsigned(h1, o.h1);
        if (c == 0) c = Long.compareUnsigned(h2, o.h2);
        if (c == 0) c = Long.compareUnsigned(h3, o.h3);
        return c;
    }

    @Override
    public String toString() {
        return toHex();
    }
}
