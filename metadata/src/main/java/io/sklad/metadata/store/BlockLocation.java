package io.sklad.metadata.store;

import java.util.List;

/** A block (at an index of a file, or -1 when found by id) with its live replicas, best first. */
public record BlockLocation(long index, BlockId id, long storedLength, List<NodeStatus> replicas) {
    public BlockLocation {
        replicas = List.copyOf(replicas);
    }
}
