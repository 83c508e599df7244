package io.sklad.metadata.store;

import java.util.List;

/** One changed block of a commit; a null {@code id} is a hole (zeros, no storage). */
public record CommittedBlock(long index, BlockId id, long storedLength, List<String> nodeIds) {
    public CommittedBlock {
        nodeIds = nodeIds == null ? List.of() : List.copyOf(nodeIds);
    }

    public boolean hole() {
        return id == null;
    }
}
