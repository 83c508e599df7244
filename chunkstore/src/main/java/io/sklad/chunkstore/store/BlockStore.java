package io.sklad.chunkstore.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Content-addressed storage for opaque blocks on one worker. A block's id is the SHA-256 of its
 * bytes; implementations verify it when a block comes in and every time it is read.
 *
 * <p>Errors are {@code java.nio.file} exceptions: {@link java.nio.file.NoSuchFileException} for a
 * block not held, {@link CorruptBlockException} for bytes that do not match their id,
 * {@link ReadOnlyStoreException} when the store takes no new blocks.
 */
public interface BlockStore extends AutoCloseable {

    /** Largest block accepted: 4 MiB of payload plus room for the block header. */
    int MAX_BLOCK_BYTES = 4 * 1024 * 1024 + 4096;

    /** Starts a batch of puts that becomes durable, and visible, with one {@link Batch#commit()}. */
    Batch newBatch();

    /** Stores one block durably (a batch of one). */
    default void put(BlockId id, byte[] data) throws IOException {
        try (Batch batch = newBatch()) {
            batch.put(id, data, 0, data.length);
            batch.commit();
        }
    }

    /** The whole block, verified against its id. */
    byte[] get(BlockId id) throws IOException;

    /**
     * The block as a stream. The id is checked when the end is reached: the last {@code read}
     * throws {@link CorruptBlockException} on a mismatch, so consumers must not act on the bytes
     * before reading to the end.
     */
    InputStream openStream(BlockId id) throws IOException;

    boolean has(BlockId id);

    /** Deletes the blocks held among {@code ids} durably; returns how many were held. */
    int delete(Collection<BlockId> ids) throws IOException;

    /** The ids of the live blocks, weakly consistent with concurrent puts and deletes. */
    Stream<BlockId> ids();

    BlockStats stats();

    /** Blocks found corrupt and not yet {@linkplain #acknowledgeCorrupt acknowledged}. */
    Set<BlockId> corruptBlocks();

    /** Forgets corrupt ids once they have been reported to the master. */
    void acknowledgeCorrupt(Collection<BlockId> reported);

    @Override
    void close() throws IOException;

    /**
     * Puts that are acknowledged together after one group fsync. Not thread-safe: one batch
     * belongs to one stream. Closing a batch without committing abandons it: none of its blocks
     * becomes visible.
     */
    interface Batch extends AutoCloseable {

        /**
         * Verifies and appends one block. Returns {@code false} when the block is already held
         * (nothing is written, the block still counts as stored).
         *
         * @throws CorruptBlockException  the bytes do not hash to {@code id}; nothing of them is stored
         * @throws ReadOnlyStoreException the store takes no new blocks
         */
        boolean put(BlockId id, byte[] data, int offset, int length) throws IOException;

        /** Makes every block put so far durable, then visible; returns what was stored. */
        BatchResult commit() throws IOException;

        @Override
        void close();
    }

    /**
     * @param stored       ids durable in the store after the batch, new or already held, in put order
     * @param bytesWritten bytes actually appended (blocks already held cost nothing)
     */
    record BatchResult(List<BlockId> stored, long bytesWritten) {
        public BatchResult {
            stored = List.copyOf(stored);
        }
    }
}
