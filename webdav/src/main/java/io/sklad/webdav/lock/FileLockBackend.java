package io.sklad.webdav.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The file system's own locks under WebDAV locks, so that other clients of the same store (a FUSE mount, SFTP,
 * another agent) respect a WebDAV lock and a WebDAV LOCK respects their writers. The Sklad agent backs this with
 * the master's leases; a plain directory has nothing to back it with ({@link #NONE}).
 */
@FunctionalInterface
public interface FileLockBackend {

    /** A lock the file system holds for one WebDAV lock. */
    interface Held {
        /** Extends it to {@code timeout} from now; throws when it was lost meanwhile. */
        void renew(Duration timeout) throws IOException;

        /** Never throws: a release that fails lapses on its own. */
        void release();
    }

    /**
     * Locks an existing {@code resource} until {@code timeout} from now.
     *
     * @throws IOException e.g. a {@link java.nio.file.FileSystemException} whose reason starts with "Busy" when
     *                     another client holds it (mapped to 423), {@link java.nio.file.AccessDeniedException}
     */
    Held acquire(Path resource, boolean exclusive, Duration timeout) throws IOException;

    /** No file-system locks: WebDAV locks are known to this server only. */
    FileLockBackend NONE = (resource, exclusive, timeout) -> new Held() {
        @Override
        public void renew(Duration t) {
        }

        @Override
        public void release() {
        }
    };
}
