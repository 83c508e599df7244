package io.sklad.metadata.store;

import java.util.List;

/**
 * A new file version: compare-and-set on {@code baseVersion}, only the blocks that changed.
 *
 * @param attributes     attributes of the new version; null fields keep the base version's, a null mtime is the
 *                       commit's time. Lets an agent fold chmod/chown/utimens made while the file had uncommitted
 *                       writes into this one transaction instead of a SetAttributes each.
 * @param blocksRecorded every block was already recorded with {@link MetadataStore#registerBlocks} (a big,
 *                       streamed commit): the commit then writes only the version and the block map. A copy that
 *                       garbage collection ordered deleted meanwhile still does not count (deletion orders are
 *                       checked at commit).
 */
public record CommitRequest(String volume, long inode, long baseVersion, long size,
                            List<CommittedBlock> blocks, AttributeUpdate attributes, boolean blocksRecorded) {
    private static final AttributeUpdate UNCHANGED = new AttributeUpdate(null, null, null, null, null);

    public CommitRequest {
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        attributes = attributes == null ? UNCHANGED : attributes;
    }

    public CommitRequest(String volume, long inode, long baseVersion, long size, List<CommittedBlock> blocks,
                         Long mtimeMillis) {
        this(volume, inode, baseVersion, size, blocks, new AttributeUpdate(null, null, null, mtimeMillis, null), false);
    }

    /** The new version's mtime; null = the commit's time. */
    public Long mtimeMillis() {
        return attributes.mtimeMillis();
    }
}
