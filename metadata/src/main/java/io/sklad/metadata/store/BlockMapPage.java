package io.sklad.metadata.store;

import java.util.List;

/** One page of a version's block map, in index order; indexes absent are holes. */
public record BlockMapPage(long version, long size, int blockSize, List<BlockLocation> blocks) {
    public BlockMapPage {
        blocks = List.copyOf(blocks);
    }
}
