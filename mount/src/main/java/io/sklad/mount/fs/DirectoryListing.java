package io.sklad.mount.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * A directory being read through one FUSE directory handle.
 *
 * <p>libfuse's readdir with offsets asks for entries a buffer (about 4 KiB) at a time, each
 * call starting at the offset the previous one stopped at. Keeping the {@link DirectoryStream}
 * open between calls makes a listing of n entries cost O(n) instead of re-reading the directory
 * for every buffer; an offset other than the current position (seekdir, rewinddir) re-opens the
 * stream and skips. Offsets: 0 is ".", 1 is "..", entry i of the stream is i + 2; the offset
 * given with an entry is that of the entry after it. Calls are serialised per handle.
 */
final class DirectoryListing implements Closeable {

    /** Receives one entry; answers non-zero when the kernel's buffer is full. */
    @FunctionalInterface
    interface Sink {
        int accept(String name, long nextOffset);
    }

    private final Path dir;
    private DirectoryStream<Path> stream;
    private Iterator<Path> entries;
    private long position;
    // Taken from the stream but not yet accepted: the buffer was full when it was offered.
    private String pending;

    DirectoryListing(Path dir) throws IOException {
        this.dir = dir;
        reopen();
    }

    /** Offers entries from {@code offset} on until the sink is full or the directory ends. */
    synchronized void fill(long offset, Sink sink) throws IOException {
        if (offset != position) {
            seek(offset);
        }
        for (String name = peek(); name != null; name = peek()) {
            if (sink.accept(name, position + 1) != 0) {
                return;
            }
            pending = null;
            position++;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        stream.close();
    }

    private void seek(long offset) throws IOException {
        reopen();
        while (position < offset && peek() != null) {
            pending = null;
            position++;
        }
    }

    private void reopen() throws IOException {
        if (stream != null) {
            stream.close();
        }
        stream = Files.newDirectoryStream(dir);
        entries = stream.iterator();
        position = 0;
        pending = null;
    }

    private String peek() throws IOException {
        if (pending == null) {
            if (position == 0) {
                pending = ".";
            } else if (position == 1) {
                pending = "..";
            } else {
                try {
                    if (entries.hasNext()) {
                        pending = entries.next().getFileName().toString();
                    }
                } catch (DirectoryIteratorException e) {
                    throw e.getCause();
                }
            }
        }
        return pending;
    }
}
