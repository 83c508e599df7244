package io.sklad.sftp.fs;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Entries of a host directory named as the client addressed the directory, filtered on those names.
 * Deliberately not a {@link java.nio.file.SecureDirectoryStream}: its relative operations would bypass
 * the jail's checks.
 */
final class JailDirectoryStream implements DirectoryStream<Path> {

    private final DirectoryStream<Path> hostEntries;
    private final Path jailedDir;
    private final Filter<? super Path> filter;

    JailDirectoryStream(DirectoryStream<Path> hostEntries, Path jailedDir, Filter<? super Path> filter) {
        this.hostEntries = hostEntries;
        this.jailedDir = jailedDir;
        this.filter = filter;
    }

    @Override
    public Iterator<Path> iterator() {
        Iterator<Path> host = hostEntries.iterator();
        return new Iterator<>() {
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null && host.hasNext()) {
                    Path candidate = jailedDir.resolve(host.next().getFileName().toString());
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
                Path result = next;
                next = null;
                return result;
            }
        };
    }

    @Override
    public void close() throws IOException {
        hostEntries.close();
    }
}
