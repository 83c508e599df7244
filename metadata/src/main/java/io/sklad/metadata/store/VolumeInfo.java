package io.sklad.metadata.store;

/** A volume and its fixed settings. */
public record VolumeInfo(long id, String name, int replicas, int blockSize, int writeQuorum,
                         long createdAtMillis, long rootInode) {
}
