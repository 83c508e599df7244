package io.sklad.metadata.repair;

/**
 * Repair and garbage collection as ClusterStatus shows them.
 *
 * @param gcPendingBlocks unreferenced blocks and orphan copies waiting out the grace period
 * @param gcDeletedBlocks blocks ordered deleted since the master started
 */
public record HealingStatus(RepairProgress repair, long gcPendingBlocks, long gcDeletedBlocks) {
    public static final HealingStatus NONE = new HealingStatus(RepairProgress.NONE, 0, 0);
}
