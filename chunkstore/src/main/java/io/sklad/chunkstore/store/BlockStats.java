package io.sklad.chunkstore.store;

/**
 * Capacity and use of a block store.
 *
 * @param capacityBytes total bytes the store may use
 * @param usedBytes     bytes its files take (live blocks, deleted ones not yet compacted, indexes)
 * @param freeBytes     bytes still writable
 * @param blockCount    live blocks
 * @param liveBytes     stored bytes of the live blocks
 * @param readOnly      true when the store refuses new blocks
 */
public record BlockStats(long capacityBytes, long usedBytes, long freeBytes, long blockCount,
                         long liveBytes, boolean readOnly) {
}
