package io.sklad.vfs.client;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The workers' block service. Addresses are {@code host:port}. */
public interface ChunkClient extends AutoCloseable {

    /**
     * Stores a batch of blocks on one worker in one stream; completes with the ids the worker made durable
     * (new or already present), or exceptionally with an IOException.
     */
    CompletableFuture<Set<BlockId>> putBlocks(String address, List<SealedBlock> batch);

    /** The stored bytes of one block (not verified here: the caller checks them against the id). */
    byte[] getBlock(String address, BlockId id) throws IOException;

    /** Receives the blocks of a {@link #getBlocks} call as they arrive. */
    @FunctionalInterface
    interface BlockSink {
        void accept(BlockId id, byte[] stored);
    }

    /**
     * The stored bytes of several blocks from one worker, each handed to {@code sink} as it arrives (not verified
     * here). Blocks the worker cannot serve are left out: the caller reads those elsewhere. This default asks for
     * one block after another; implementations fetch them all in one call.
     *
     * @throws IOException when the call itself fails (blocks handed over before stay handed over)
     */
    default void getBlocks(String address, List<BlockId> ids, BlockSink sink) throws IOException {
        for (BlockId id : ids) {
            byte[] stored;
            try {
                stored = getBlock(address, id);
            } catch (IOException e) {
                continue;
            }
            sink.accept(id, stored);
        }
    }

    /** Which of the ids the worker holds. */
    Set<BlockId> hasBlocks(String address, Collection<BlockId> ids) throws IOException;

    @Override
    void close();
}
