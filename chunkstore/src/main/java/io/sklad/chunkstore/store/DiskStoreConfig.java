package io.sklad.chunkstore.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link LocalDiskBlockStore}.
 *
 * @param dataDir         the worker's data directory; blocks live in {@code dataDir/blocks}
 * @param capacityBytes   bytes the store may use; 0 = what the disk has (usable space + used)
 * @param volumeFileBytes size past which a new volume file is started
 */
public record DiskStoreConfig(Path dataDir, long capacityBytes, long volumeFileBytes) {

    /** Default size of one volume file: 1 GiB. */
    public static final long DEFAULT_VOLUME_FILE_BYTES = 1L << 30;

    public DiskStoreConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must be >= 0: " + capacityBytes);
        }
        if (volumeFileBytes <= 0) {
            throw new IllegalArgumentException("volumeFileBytes must be > 0: " + volumeFileBytes);
        }
    }

    public static DiskStoreConfig of(Path dataDir, long capacityBytes) {
        return new DiskStoreConfig(dataDir, capacityBytes, DEFAULT_VOLUME_FILE_BYTES);
    }
}
