package io.sklad.webdav.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Write locks of the WebDAV frontend, keyed by the absolute {@link Path} of the locked resource so that
 * users whose roots overlap see each other's locks. {@link InMemoryDavLockManager} keeps them in this server
 * only; {@link BackedDavLockManager} also holds the file system's own lock (the master's leases on Sklad).
 * Expired locks are never returned.
 */
public interface DavLockManager {

    /**
     * Grants a lock, or throws when an exclusive lock (or any lock, for an exclusive request) is in the way;
     * an {@link IOException} when the file system refuses it (another client holds the file: reason "Busy").
     */
    DavLock lock(Path resource, LockRequest request) throws LockConflictException, IOException;

    /** Extends a lock by token; empty when there is no such (live) lock. */
    Optional<DavLock> refresh(String token, Duration timeout);

    /** Releases a lock; false when there was none. */
    boolean unlock(String token);

    Optional<DavLock> find(String token);

    /** Locks that protect {@code resource}: on it, or deep on an ancestor. */
    List<DavLock> covering(Path resource);

    /** Locks rooted at {@code resource} or anywhere below it. */
    List<DavLock> within(Path resource);

    /** Drops locks rooted at or below {@code resource} (after it was deleted or moved away). */
    void removeWithin(Path resource);
}
