package io.sklad.chunkstore.store;

import java.nio.file.FileSystemException;

/** The bytes of a block do not match its id (on a read from disk, or in a put). */
public class CorruptBlockException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    private final transient BlockId blockId;

    public CorruptBlockException(BlockId blockId, String reason) {
        super(blockId.toHex(), null, reason);
        this.blockId = blockId;
    }

    public BlockId blockId() {
        return blockId;
    }
}
