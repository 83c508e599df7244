package io.sklad.vfs.io;

import java.nio.ByteBuffer;

/** Copying ranges of block plaintext (which may be shorter than the block: the rest reads as zeros). */
final class BlockBytes {

    private BlockBytes() {
    }

    /** Copies n bytes of the block from offset into dst; null plaintext is a hole. */
    static void copy(ByteBuffer plaintext, int offset, int n, ByteBuffer dst) {
        int available = plaintext == null ? 0 : Math.max(0, Math.min(n, plaintext.limit() - offset));
        if (available > 0) {
            ByteBuffer src = plaintext.duplicate();
            src.position(offset).limit(offset + available);
            dst.put(src);
        }
        zeros(dst, n - available);
    }

    static void zeros(ByteBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put((byte) 0);
        }
    }
}
