package io.sklad.vfs.client;

import java.util.List;

/**
 * A changed block in a commit.
 *
 * @param id      null for a hole (a block of zeros, no storage)
 * @param nodeIds workers that acknowledged a durable copy
 */
public record CommittedBlock(long index, BlockId id, long storedLength, List<String> nodeIds) {

    public CommittedBlock {
        nodeIds = List.copyOf(nodeIds);
    }

    public static CommittedBlock hole(long index) {
        return new CommittedBlock(index, null, 0, List.of());
    }
}
