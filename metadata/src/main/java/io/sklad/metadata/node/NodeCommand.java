package io.sklad.metadata.node;

import io.sklad.metadata.store.BlockId;

import java.util.List;

/** Work the master hands a worker with a heartbeat. */
public sealed interface NodeCommand {
    /**
     * A repair task: copy these blocks worker-to-worker onto one target, in one stream acknowledged after one
     * group fsync on the target.
     */
    record CopyBlocks(long taskId, String targetNodeId, String targetAddress, List<BlockId> blocks)
            implements NodeCommand {
        public CopyBlocks {
            blocks = List.copyOf(blocks);
        }
    }

    /** Delete blocks no longer referenced (after the grace period). */
    record Delete(List<BlockId> blocks) implements NodeCommand {
        public Delete {
            blocks = List.copyOf(blocks);
        }
    }
}
