package io.sklad.vfs.fs;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** The entries of one directory, as listed at open, filtered lazily. */
final class SkladDirectoryStream implements DirectoryStream<Path> {

    private final List<Path> entries;
    private final Filter<? super Path> filter;
    private boolean iterated;
    private volatile boolean closed;

    SkladDirectoryStream(List<Path> entries, Filter<? super Path> filter) {
        this.entries = entries;
        this.filter = filter;
    }

    @Override
    public synchronized Iterator<Path> iterator() {
        if (closed) {
            throw new IllegalStateException("directory stream is closed");
        }
        if (iterated) {
            throw new IllegalStateException("iterator already obtained");
        }
        iterated = true;
        Iterator<Path> source = entries.iterator();
        return new Iterator<>() {
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null && !closed && source.hasNext()) {
                    Path candidate = source.next();
                    try {
                        if (filter == null || filter.accept(candidate)) {
                            next = candidate;
                        }
                    } catch (IOException e) {
                        throw new DirectoryIteratorException(e);
                    }
                }
                return next != null;
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path p = next;
                next = null;
                return p;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
