package io.sklad.metadata.node;

import io.sklad.metadata.store.BlockId;

import java.util.List;

/** Work the master hands a worker with a heartbeat. */
public sealed interface NodeCommand {
    /** Copy a block worker-to-worker onto the targets. */
    record Replicate(BlockId block, List<String> targetNodeIds, List<String> targetAddresses) implements NodeCommand {
        public Replicate {
            targetNodeIds = List.copyOf(targetNodeIds);
            targetAddresses = List.copyOf(targetAddresses);
        }
    }

    /** Delete blocks no longer referenced (after the grace period). */
    record Delete(List<BlockId> blocks) implements NodeCommand {
        public Delete {
            blocks = List.copyOf(blocks);
        }
    }
}
