package io.sklad.vfs.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The bytes behind a {@link SkladFileChannel}: an open file, or a read-only old version. */
public interface FileContent {

    long size() throws IOException;

    int blockSize();

    /** Reads at position; -1 at or past the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes all of src at position, extending the file as needed. */
    int write(ByteBuffer src, long position) throws IOException;

    /** Cuts or extends (with zeros) the file to length. */
    void setLength(long length) throws IOException;

    /** Makes everything written so far a committed version. */
    void flush() throws IOException;

    /** Hints that the blocks after position will be read soon. */
    void readAhead(long position, int blocks);

    /**
     * A counter that grows with every change (write, length change) made so far; a channel remembers its value
     * after its own last change. Read-only contents never change: 0.
     */
    default long changes() {
        return 0;
    }

    /** True when the changes counted up to {@code mark} (see {@link #changes()}) are not all committed yet. */
    default boolean uncommitted(long mark) {
        return false;
    }
}
