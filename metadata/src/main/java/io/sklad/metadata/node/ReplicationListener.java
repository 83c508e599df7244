package io.sklad.metadata.node;

import io.sklad.metadata.store.BlockId;

/** Hears how the copies a worker was ordered to make turned out (reported with its heartbeats). */
public interface ReplicationListener {
    ReplicationListener NONE = (source, block, target, outcome) -> { };

    /** How one copy of a {@link NodeCommand.Replicate} ended. */
    enum Outcome {
        /** The target acknowledged a durable copy. */
        COPIED,
        /** The copy was not made (target refused or unreachable); ordering it again may work. */
        FAILED,
        /** The source holds no good copy: its replica row is wrong. */
        SOURCE_MISSING
    }

    void replicated(String sourceNodeId, BlockId block, String targetNodeId, Outcome outcome);
}
