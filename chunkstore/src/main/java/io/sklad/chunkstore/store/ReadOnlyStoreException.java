package io.sklad.chunkstore.store;

import java.nio.file.FileSystemException;

/**
 * The store takes no new blocks: its capacity is used up, or a write to its disk failed (full
 * or turned read-only). Reads keep working.
 */
public class ReadOnlyStoreException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyStoreException(String reason) {
        super(null, null, reason);
    }
}
