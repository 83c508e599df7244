package io.sklad.webdav.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebDAV locks that also hold a {@link FileLockBackend} lock on the resource for their whole life: the DAV
 * semantics (tokens, owners, depth, who may use a token) are kept by an {@link InMemoryDavLockManager} shared by
 * every user of this server, and each granted lock takes the file system's lock too, so that writers outside
 * WebDAV are kept out and their write in progress makes LOCK answer 423. LOCK refresh renews the backend lock;
 * UNLOCK, expiry and removal release it. A depth-infinity lock takes the backend lock on its root only.
 */
public final class BackedDavLockManager implements DavLockManager {

    private static final Logger log = LoggerFactory.getLogger(BackedDavLockManager.class);

    private final InMemoryDavLockManager table;
    private final FileLockBackend backend;
    private final Map<String, FileLockBackend.Held> held = new ConcurrentHashMap<>();

    public BackedDavLockManager(FileLockBackend backend, Clock clock) {
        this.table = new InMemoryDavLockManager(clock);
        this.backend = backend;
    }

    public BackedDavLockManager(FileLockBackend backend) {
        this(backend, Clock.systemUTC());
    }

    @Override
    public DavLock lock(Path resource, LockRequest request) throws LockConflictException, IOException {
        releaseLapsed();
        // DAV conflicts first (cheap, and they name the conflicting lock); then the file system's
        DavLock lock = table.lock(resource, request);
        try {
            held.put(lock.token(), backend.acquire(resource, request.exclusive(), request.timeout()));
        } catch (IOException | RuntimeException e) {
            table.unlock(lock.token());
            throw e;
        }
        return lock;
    }

    @Override
    public Optional<DavLock> refresh(String token, Duration timeout) {
        releaseLapsed();
        Optional<DavLock> renewed = table.refresh(token, timeout);
        FileLockBackend.Held h = held.get(token);
        if (renewed.isEmpty() || h == null) {
            return renewed;
        }
        try {
            h.renew(timeout);
            return renewed;
        } catch (IOException | RuntimeException e) {
            // the file system's lock is gone (another client took the file meanwhile): so is this lock
            log.info("lock {} lost its file system lock: {}", renewed.get().root(), e.toString());
            unlock(token);
            return Optional.empty();
        }
    }

    @Override
    public boolean unlock(String token) {
        boolean was = table.unlock(token);
        release(token);
        return was;
    }

    @Override
    public Optional<DavLock> find(String token) {
        return table.find(token);
    }

    @Override
    public List<DavLock> covering(Path resource) {
        return table.covering(resource);
    }

    @Override
    public List<DavLock> within(Path resource) {
        return table.within(resource);
    }

    @Override
    public void removeWithin(Path resource) {
        List<DavLock> gone = table.within(resource);
        table.removeWithin(resource);
        gone.forEach(l -> release(l.token()));
    }

    private void release(String token) {
        FileLockBackend.Held h = held.remove(token);
        if (h != null) {
            h.release();
        }
    }

    /** Backend locks of DAV locks that timed out (the backend lets them lapse too; this forgets them). */
    private void releaseLapsed() {
        for (String token : held.keySet()) {
            if (table.find(token).isEmpty()) {
                release(token);
            }
        }
    }
}
