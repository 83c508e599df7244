package io.sklad.metadata.store;

import java.util.List;

/**
 * A new file version: compare-and-set on {@code baseVersion}, only the blocks that changed.
 *
 * @param blocksRecorded every block was already recorded with {@link MetadataStore#registerBlocks} (a big,
 *                       streamed commit): the commit then writes only the version and the block map. A copy that
 *                       garbage collection ordered deleted meanwhile still does not count (deletion orders are
 *                       checked at commit).
 */
public record CommitRequest(String volume, long inode, long baseVersion, long size,
                            List<CommittedBlock> blocks, Long mtimeMillis, boolean blocksRecorded) {
    public CommitRequest {
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
    }

    public CommitRequest(String volume, long inode, long baseVersion, long size, List<CommittedBlock> blocks,
                         Long mtimeMillis) {
        this(volume, inode, baseVersion, size, blocks, mtimeMillis, false);
    }
}
