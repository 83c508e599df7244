package io.sklad.metadata.store;

/** Row counts of the big tables, for operators and tests. */
public record StoreCounts(long dentryRows, long versionRows, long blockMapRows, long blocks, long replicas, long lastTx) {
}
