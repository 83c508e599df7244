package io.sklad.vfs.client;

import java.nio.ByteBuffer;

/**
 * A block ready for storage: its id and its stored bytes (header + payload).
 *
 * @param stored read-only view of the stored bytes
 */
public record SealedBlock(BlockId id, ByteBuffer stored) {

    public SealedBlock {
        stored = stored.asReadOnlyBuffer();
    }

    public int length() {
        return stored.remaining();
    }
}
