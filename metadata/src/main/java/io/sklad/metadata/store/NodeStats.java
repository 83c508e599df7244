package io.sklad.metadata.store;

/** What a worker reports about its disks. */
public record NodeStats(long capacityBytes, long usedBytes, long freeBytes, long blockCount, boolean readOnly) {
}
