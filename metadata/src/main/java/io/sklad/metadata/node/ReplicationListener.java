package io.sklad.metadata.node;

import io.sklad.metadata.store.BlockId;

import java.util.List;

/** Hears how the copy tasks a worker was ordered to carry out turned out (reported with its heartbeats). */
public interface ReplicationListener {
    ReplicationListener NONE = (source, result) -> { };

    /**
     * How one {@link NodeCommand.CopyBlocks} task ended.
     *
     * @param copied        blocks the target acknowledged as durable
     * @param failed        blocks not copied (target refused or away); ordering them again may work
     * @param sourceMissing blocks the source holds no good copy of: its replica rows are wrong
     */
    record CopyResult(long taskId, String targetNodeId, List<BlockId> copied, List<BlockId> failed,
                      List<BlockId> sourceMissing) {
        public CopyResult {
            copied = List.copyOf(copied);
            failed = List.copyOf(failed);
            sourceMissing = List.copyOf(sourceMissing);
        }
    }

    void copied(String sourceNodeId, CopyResult result);
}
