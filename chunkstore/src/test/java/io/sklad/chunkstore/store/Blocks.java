package io.sklad.chunkstore.store;

import java.util.Random;

/** Test blocks: random bytes and their ids. */
public final class Blocks {
    private static final Random RANDOM = new Random();

    private Blocks() {
    }

    public static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    public static BlockId idOf(byte[] data) {
        return BlockId.sha256(data, 0, data.length);
    }
}
