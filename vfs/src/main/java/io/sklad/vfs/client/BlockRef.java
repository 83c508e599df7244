package io.sklad.vfs.client;

import java.util.List;

/**
 * Where one block of a file version lives.
 *
 * @param index    block index within the file (unused in FindBlocks answers)
 * @param replicas live replicas, best first
 */
public record BlockRef(long index, BlockId id, long storedLength, List<WorkerNode> replicas) {

    public BlockRef {
        replicas = List.copyOf(replicas);
    }
}
