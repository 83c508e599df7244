package io.sklad.vfs.client;

/**
 * A worker with what the master's records say it holds.
 *
 * @param blocks         blocks the master records on the worker
 * @param blocksOnlyHere of those, blocks that would drop below their replication factor without it
 *                       (0 = the worker can be removed)
 */
public record NodeReport(WorkerNode node, long blocks, long blocksOnlyHere) {
}
