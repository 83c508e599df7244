package io.sklad.vfs.client;

/** A volume and its fixed settings. */
public record VolumeInfo(String name, int replicas, int blockSize, long createdAtMillis, int writeQuorum) {

    /** Acknowledged copies each block needs before a commit: {@code min(R, write_quorum)}, at least 1. */
    public int requiredAcks() {
        int q = writeQuorum <= 0 ? replicas : Math.min(replicas, writeQuorum);
        return Math.max(1, q);
    }
}
