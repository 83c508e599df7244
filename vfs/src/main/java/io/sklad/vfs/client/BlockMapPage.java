package io.sklad.vfs.client;

import java.util.List;

/**
 * A range of one file version's block map. Indexes absent from {@code blocks} are holes (zeros).
 */
public record BlockMapPage(long version, long size, int blockSize, List<BlockRef> blocks) {

    public BlockMapPage {
        blocks = List.copyOf(blocks);
    }
}
