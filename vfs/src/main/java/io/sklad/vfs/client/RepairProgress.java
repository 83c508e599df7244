package io.sklad.vfs.client;

/**
 * The master's repair and garbage-collection work, as of its last pass.
 *
 * @param blocksAtRisk           blocks with fewer copies on live, non-draining workers than their volume wants
 * @param bytesAtRisk            stored bytes still to copy to reach full redundancy
 * @param blocksRepairing        blocks with copies ordered and not yet confirmed
 * @param repairedBytesPerSecond confirmed copies, averaged over the last 30 s
 * @param etaSeconds             estimated time to full redundancy; 0 = there, -1 = unknown
 * @param blocksWithoutSource    blocks with no copy left on a worker that can serve it
 * @param repairedBlocks         copies confirmed since the master started
 * @param trimmedBlocks          surplus copies deleted since the master started
 * @param gcPendingBlocks        unreferenced blocks waiting out the garbage-collection grace period
 * @param gcDeletedBlocks        blocks deleted by garbage collection since the master started
 */
public record RepairProgress(long blocksAtRisk, long bytesAtRisk, long blocksRepairing, double repairedBytesPerSecond,
                             long etaSeconds, long blocksWithoutSource, long repairedBlocks, long trimmedBlocks,
                             long gcPendingBlocks, long gcDeletedBlocks) {
    /** No repair work known (an older master). */
    public static final RepairProgress NONE = new RepairProgress(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
