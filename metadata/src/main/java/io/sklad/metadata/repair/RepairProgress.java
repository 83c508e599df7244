package io.sklad.metadata.repair;

/**
 * Where repair stands.
 *
 * @param blocksAtRisk           blocks with fewer copies on live, non-draining nodes than wanted
 * @param bytesAtRisk            stored bytes still to copy to reach full redundancy
 * @param blocksRepairing        blocks with copies ordered and not yet confirmed
 * @param repairedBytesPerSecond confirmed copies over the last 30 s
 * @param etaSeconds             estimated time to full redundancy; 0 = there already, -1 = unknown
 * @param blocksWithoutSource    blocks with no copy left on a node that can serve it
 * @param repairedBlocks         copies confirmed since the master started
 * @param trimmedBlocks          surplus copies deleted since the master started
 */
public record RepairProgress(long blocksAtRisk, long bytesAtRisk, long blocksRepairing, double repairedBytesPerSecond,
                             long etaSeconds, long blocksWithoutSource, long repairedBlocks, long trimmedBlocks) {
    public static final RepairProgress NONE = new RepairProgress(0, 0, 0, 0, 0, 0, 0, 0);
}
