package io.sklad.metadata.store;

import java.util.List;

/** A new file version: compare-and-set on {@code baseVersion}, only the blocks that changed. */
public record CommitRequest(String volume, long inode, long baseVersion, long size,
                            List<CommittedBlock> blocks, Long mtimeMillis) {
    public CommitRequest {
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
    }
}
