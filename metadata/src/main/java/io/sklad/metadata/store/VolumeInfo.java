package io.sklad.metadata.store;

/**
 * A volume and its settings.
 *
 * @param retentionMillis how long history (deleted files, replaced versions) is kept; 0 = forever
 */
public record VolumeInfo(long id, String name, int replicas, int blockSize, int writeQuorum,
                         long createdAtMillis, long rootInode, long retentionMillis) {

    /** A volume that keeps its history forever. */
    public VolumeInfo(long id, String name, int replicas, int blockSize, int writeQuorum, long createdAtMillis,
                      long rootInode) {
        this(id, name, replicas, blockSize, writeQuorum, createdAtMillis, rootInode, 0);
    }
}
