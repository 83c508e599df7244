package io.sklad.metadata.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The master's state as repair and garbage collection see it, transport-free. "Counting" copies are those
 * on ALIVE or SUSPECT nodes: a SUSPECT node may come back, a DEAD node's copies are lost and a DRAINING
 * node's are leaving.
 */
public interface HealingStore {

    /**
     * Blocks whose counting copies differ from their replication factor: up to {@code limit} below it
     * (fewest copies first) and up to {@code limit} above it, each with every node holding a replica row.
     * Blocks waiting for garbage collection are left out.
     */
    ReplicationScan scanReplication(int limit);

    /**
     * Records in one transaction that {@code nodeId} holds copies of these blocks (confirmed repair copies);
     * returns those recorded: blocks the master knows, on a node it knows.
     */
    Set<BlockId> addReplicas(String nodeId, Collection<BlockId> ids);

    /** Forgets that {@code nodeId} holds {@code id}. */
    void dropReplica(BlockId id, String nodeId);

    /** Forgets in one transaction that {@code nodeId} holds these blocks. */
    void dropReplicas(String nodeId, Collection<BlockId> ids);

    /** Blocks on {@code nodeId} that would have fewer counting copies than wanted without it. */
    long blocksOnlyOn(String nodeId);

    /** Blocks the master records on {@code nodeId}. */
    long blocksOn(String nodeId);

    /**
     * Forgets a node and its replica rows, in one transaction with the check that no block it holds would
     * drop below its replication factor (CONFLICT otherwise); NOT_FOUND for an unknown node.
     */
    void removeNode(String nodeId);

    /** Sets how long a volume keeps history; 0 = forever. UNKNOWN_VOLUME for an unknown volume. */
    VolumeInfo setVolumeRetention(String volume, long retentionMillis);

    /** Deletes history rows closed longer ago than their volume's retention; returns the rows deleted. */
    long purgeExpiredHistory();

    /**
     * Marks blocks newly found without any block_map row as unreferenced (now) and clears the mark of
     * blocks referenced again; returns the blocks and orphan copies now waiting out the grace period.
     */
    long markUnreferenced();

    /**
     * In one mutation (serialised with commits): forgets blocks unreferenced since at least
     * {@code unreferencedBefore} and still unreferenced, and orphan copies first seen before it; records a
     * deletion order for every copy and returns the copies to delete by node, at most {@code limit} blocks.
     */
    Map<String, List<BlockId>> collectGarbage(long unreferencedBefore, int limit);

    /** Drops deletion orders older than {@code millis}: from then on acknowledgements of those copies count again. */
    void forgetDeletionsBefore(long millis);

    /** A replication scan: the worst blocks first, with totals over all blocks below their factor. */
    record ReplicationScan(List<BlockCopies> under, List<BlockCopies> over, long blocksAtRisk, long bytesAtRisk) {
        public ReplicationScan {
            under = List.copyOf(under);
            over = List.copyOf(over);
        }
    }

    /** A block, its factor, its counting copies and every node with a replica row for it. */
    record BlockCopies(BlockId id, long storedLength, int wanted, int counting, List<String> holders) {
        public BlockCopies {
            holders = List.copyOf(holders);
        }
    }
}
