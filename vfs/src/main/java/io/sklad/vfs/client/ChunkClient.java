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

    /** Which of the ids the worker holds. */
    Set<BlockId> hasBlocks(String address, Collection<BlockId> ids) throws IOException;

    @Override
    void close();
}
