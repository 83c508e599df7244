package io.sklad.chunkstore.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much room the disk under a directory has and whether it can be written at all. The store
 * asks through this seam so that tests can play a full or read-only disk (as root, {@code chmod}
 * stops nothing).
 */
public interface DiskSpace {

    /** Bytes this process may still write on the file system holding {@code dir}. */
    long usableBytes(Path dir) throws IOException;

    /** Whether the file system holding {@code dir} is mounted read-only. */
    boolean readOnly(Path dir) throws IOException;

    /** The real disk, as {@link java.nio.file.FileStore} reports it. */
    static DiskSpace system() {
        return SystemDiskSpace.INSTANCE;
    }

    /** {@link DiskSpace#system()}. */
    enum SystemDiskSpace implements DiskSpace {
        INSTANCE;

        @Override
        public long usableBytes(Path dir) throws IOException {
            return Files.getFileStore(dir).getUsableSpace();
        }

        @Override
        public boolean readOnly(Path dir) throws IOException {
            return Files.getFileStore(dir).isReadOnly();
        }
    }
}
