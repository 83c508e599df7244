package io.sklad.webdav.lock;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Locks held in this process. All methods are synchronized: lock tables are small and every operation
 * must see a consistent set (check-then-grant). Expired locks are purged lazily.
 */
public final class InMemoryDavLockManager implements DavLockManager {

    private final Clock clock;
    private final Map<String, DavLock> locks = new HashMap<>();

    public InMemoryDavLockManager(Clock clock) {
        this.clock = clock;
    }

    public InMemoryDavLockManager() {
        this(Clock.systemUTC());
    }

    @Override
    public synchronized DavLock lock(Path resource, LockRequest request) throws LockConflictException {
        purge();
        for (DavLock held : locks.values()) {
            boolean overlaps = held.covers(resource) || (request.deep() && held.isWithin(resource));
            if (overlaps && (held.exclusive() || request.exclusive())) {
                throw new LockConflictException(held);
            }
        }
        Instant now = clock.instant();
        DavLock lock = new DavLock("opaquelocktoken:" + UUID.randomUUID(), resource, request.exclusive(),
                request.deep(), request.ownerXml(), request.principal(), request.timeout(),
                now.plus(request.timeout()));
        locks.put(lock.token(), lock);
        return lock;
    }

    @Override
    public synchronized Optional<DavLock> refresh(String token, Duration timeout) {
        purge();
        DavLock lock = locks.get(token);
        if (lock == null) {
            return Optional.empty();
        }
        DavLock renewed = lock.renewed(timeout, clock.instant().plus(timeout));
        locks.put(token, renewed);
        return Optional.of(renewed);
    }

    @Override
    public synchronized boolean unlock(String token) {
        purge();
        return locks.remove(token) != null;
    }

    @Override
    public synchronized Optional<DavLock> find(String token) {
        purge();
        return Optional.ofNullable(locks.get(token));
    }

    @Override
    public synchronized List<DavLock> covering(Path resource) {
        purge();
        List<DavLock> out = new ArrayList<>();
        for (DavLock l : locks.values()) {
            if (l.covers(resource)) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public synchronized List<DavLock> within(Path resource) {
        purge();
        List<DavLock> out = new ArrayList<>();
        for (DavLock l : locks.values()) {
            if (l.isWithin(resource)) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public synchronized void removeWithin(Path resource) {
        locks.values().removeIf(l -> l.isWithin(resource));
    }

    private void purge() {
        if (locks.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        locks.values().removeIf(l -> l.expiresAt().isBefore(now));
    }
}
