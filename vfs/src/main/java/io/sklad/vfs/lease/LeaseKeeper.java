package io.sklad.vfs.lease;

import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.client.LeaseGrant;
import io.sklad.vfs.client.LeaseMode;
import io.sklad.vfs.client.MetadataClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The master leases one agent (one holder id) holds, kept renewed in the background.
 *
 * <ul>
 * <li><em>Write leases</em>: the first writable open of a file takes a WRITE_SHARED_READ lease, later ones share
 *     it (reference counted per volume + inode), the last close releases it. Another agent's lease in the way is a
 *     {@link FileSystemException} with reason {@link SkladReasons#BUSY}.</li>
 * <li><em>Explicit locks</em> ({@link SkladLock}, for WebDAV LOCK): an EXCLUSIVE or SHARED_READ lease renewed until
 *     the lock's own deadline or an unlock.</li>
 * </ul>
 * A lease the master lost (it restarted, or the agent could not renew in time) is re-acquired at the next renewal;
 * if someone else took the file meanwhile the lease stays lost, and the next commit is refused by the master with
 * a conflict rather than overwriting anything.
 *
 * <p>Locking: this object's monitor guards the tables only; each entry's own monitor is held across its master
 * calls, so openers of one file wait for that file's acquire and nothing else.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    /** Lease ttl at the master: how long a crashed agent keeps others out. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    private record Key(String volume, long inode) {
    }

    /** One leased file or lock. Fields below are guarded by the entry's own monitor. */
    private static final class Held {
        final String volume;
        final String path;
        final String display;
        final LeaseMode mode;
        int refs;                // write leases only; guarded by the keeper
        LeaseGrant grant;
        long deadline;           // explicit locks only: when to stop renewing
        boolean closed;

        Held(String volume, String path, String display, LeaseMode mode) {
            this.volume = volume;
            this.path = path;
            this.display = display;
            this.mode = mode;
        }
    }

    /** One writable open's share of a write lease; closing it releases the lease with the last share. */
    public final class WriteHandle implements AutoCloseable {
        private final Key key;
        private final Held held;
        private boolean closed;

        private WriteHandle(Key key, Held held) {
            this.key = key;
            this.held = held;
        }

        /** Never throws: a release that fails is logged, the lease then expires on its own. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            dropWrite(key, held);
        }
    }

    private final MetadataClient metadata;
    private final String holder;
    private final Duration ttl;
    private final Map<Key, Held> writes = new HashMap<>();
    private final Map<String, Held> locks = new HashMap<>();
    private final ScheduledExecutorService renewer;
    private volatile boolean open = true;

    /**
     * @param holder this agent's holder id (the master tells holders apart by it)
     * @param ttl    lease ttl asked of the master; renewals run every third of it
     */
    public LeaseKeeper(MetadataClient metadata, String holder, Duration ttl) {
        this.metadata = metadata;
        this.holder = holder;
        this.ttl = ttl;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sklad-lease-renewer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(200, ttl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    public String holder() {
        return holder;
    }

    /** The ttl this keeper asks of the master for its leases. */
    public Duration ttl() {
        return ttl;
    }

    // ------------------------------------------------------------------ write leases

    /**
     * A share of the write lease on a file, acquiring it at the master when this agent holds none yet.
     *
     * @param path    volume-internal path of the file
     * @param display the path shown in errors ({@code /VOLUME/path})
     */
    public WriteHandle openForWrite(String volume, String path, long inode, String display) throws IOException {
        Key key = new Key(volume, inode);
        Held held;
        synchronized (this) {
            if (!open) {
                throw new FileSystemException(display, null, SkladReasons.UNAVAILABLE + ": the file system is closing");
            }
            held = writes.computeIfAbsent(key, k -> new Held(volume, path, display, LeaseMode.WRITE_SHARED_READ));
            held.refs++;
        }
        try {
            synchronized (held) {
                if (held.grant == null) {
                    held.grant = acquire(held, ttl, "is being written by another client");
                }
            }
        } catch (IOException | RuntimeException e) {
            dropWrite(key, held);
            throw e;
        }
        return new WriteHandle(key, held);
    }

    /**
     * A share of the write lease on a file, taking {@code granted} (a lease the master gave this holder with the
     * file's creation) as the lease when this agent holds none yet, so the open costs no acquire of its own.
     */
    public WriteHandle adoptWrite(String volume, String path, long inode, String display, LeaseGrant granted) {
        Key key = new Key(volume, inode);
        Held held;
        synchronized (this) {
            held = writes.computeIfAbsent(key, k -> new Held(volume, path, display, LeaseMode.WRITE_SHARED_READ));
            held.refs++;
        }
        boolean spare;
        synchronized (held) {
            spare = held.grant != null || !open;
            if (!spare) {
                held.grant = granted;
            }
        }
        if (spare) { // this agent already held one (or is closing): the extra lease goes back
            try {
                metadata.releaseLease(granted.leaseId());
            } catch (IOException | RuntimeException e) {
                log.warn("could not release a spare lease on {} (it expires on its own): {}", display, e.toString());
            }
        }
        return new WriteHandle(key, held);
    }

    private void dropWrite(Key key, Held held) {
        synchronized (this) {
            if (--held.refs > 0) {
                return;
            }
            writes.remove(key, held);
        }
        release(held);
    }

    // ------------------------------------------------------------------ explicit locks

    /**
     * Locks a file until {@code timeout} from now (renewed in the background) or {@link #unlock}.
     *
     * @param path volume-internal path of an existing entry
     */
    public SkladLock lock(String volume, String path, String display, boolean exclusive, Duration timeout)
            throws IOException {
        Held held = new Held(volume, path, display, exclusive ? LeaseMode.EXCLUSIVE : LeaseMode.SHARED_READ);
        String lockId = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        synchronized (held) {
            held.deadline = now + timeout.toMillis();
            held.grant = acquire(held, leaseTtl(timeout), "is locked by another client");
        }
        synchronized (this) {
            if (!open) {
                release(held);
                throw new FileSystemException(display, null, SkladReasons.UNAVAILABLE + ": the file system is closing");
            }
            locks.put(lockId, held);
        }
        return new SkladLock(lockId, display, exclusive, held.deadline);
    }

    /** Extends a lock to {@code timeout} from now; a lock that is gone is a {@link NoSuchFileException}. */
    public SkladLock renewLock(String lockId, Duration timeout) throws IOException {
        Held held;
        synchronized (this) {
            held = locks.get(lockId);
        }
        if (held == null) {
            throw new NoSuchFileException(lockId, null, "no such lock (expired or unlocked)");
        }
        synchronized (held) {
            held.deadline = System.currentTimeMillis() + timeout.toMillis();
            renewOne(held);
            if (held.grant == null) {
                throw new FileSystemException(held.display, null, SkladReasons.BUSY + held.display
                        + " is locked by another client");
            }
            return new SkladLock(lockId, held.display, held.mode == LeaseMode.EXCLUSIVE, held.deadline);
        }
    }

    /** Releases a lock; false when it was already gone. */
    public boolean unlock(String lockId) {
        Held held;
        synchronized (this) {
            held = locks.remove(lockId);
        }
        if (held == null) {
            return false;
        }
        release(held);
        return true;
    }

    // ------------------------------------------------------------------ master calls

    private Duration leaseTtl(Duration wanted) {
        return wanted.compareTo(ttl) < 0 ? wanted : ttl;
    }

    /** Called with the entry's monitor held. */
    private LeaseGrant acquire(Held held, Duration leaseTtl, String busyWhy) throws IOException {
        try {
            LeaseGrant g = metadata.acquireLease(held.volume, held.path, held.mode, holder, leaseTtl);
            log.debug("lease {} {} on {}", g.leaseId(), held.mode, held.display);
            return g;
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().startsWith(SkladReasons.CONFLICT)) {
                // the master names the mode in the way: a writer sees whether it is a lock or another writer
                String why = e.getReason().contains("leased " + LeaseMode.EXCLUSIVE)
                        || e.getReason().contains("leased " + LeaseMode.SHARED_READ)
                        ? "is locked by another client" : busyWhy;
                FileSystemException busy = new FileSystemException(held.display, null,
                        SkladReasons.BUSY + held.display + " " + why);
                busy.initCause(e);
                throw busy;
            }
            throw e;
        }
    }

    private void release(Held held) {
        synchronized (held) {
            held.closed = true;
            if (held.grant == null) {
                return;
            }
            try {
                metadata.releaseLease(held.grant.leaseId());
            } catch (IOException | RuntimeException e) {
                log.warn("could not release the lease on {} (it expires on its own): {}", held.display, e.toString());
            }
            held.grant = null;
        }
    }

    private void renewAll() {
        List<Held> all;
        synchronized (this) {
            all = new ArrayList<>(writes.values());
            all.addAll(locks.values());
        }
        long now = System.currentTimeMillis();
        for (Held held : all) {
            if (held.mode != LeaseMode.WRITE_SHARED_READ && held.deadline <= now) {
                synchronized (this) {
                    locks.values().remove(held);
                }
                release(held);
                log.debug("lock on {} timed out", held.display);
                continue;
            }
            synchronized (held) {
                renewOne(held);
            }
        }
    }

    /** Renews, or re-acquires a lease the master lost. Called with the entry's monitor held. */
    private void renewOne(Held held) {
        if (held.closed) {
            return;
        }
        long now = System.currentTimeMillis();
        Duration leaseTtl = held.mode == LeaseMode.WRITE_SHARED_READ ? ttl
                : leaseTtl(Duration.ofMillis(Math.max(1000, held.deadline - now)));
        try {
            if (held.grant != null) {
                long expires = metadata.renewLease(held.grant.leaseId(), leaseTtl);
                held.grant = new LeaseGrant(held.grant.leaseId(), expires, held.grant.inode());
                return;
            }
        } catch (NoSuchFileException lost) {
            log.info("lease on {} was lost at the master; taking it again", held.display);
        } catch (IOException | RuntimeException e) {
            log.warn("could not renew the lease on {}: {}", held.display, e.toString());
            return;
        }
        try {
            // an explicit lock keeps the id its user knows; only the master's lease behind it changes
            held.grant = metadata.acquireLease(held.volume, held.path, held.mode, holder, leaseTtl);
        } catch (IOException | RuntimeException e) {
            held.grant = null;
            log.warn("lease on {} is lost, its next commit may be refused: {}", held.display, e.toString());
        }
    }

    /** Number of write leases and locks held. */
    public synchronized int heldCount() {
        return writes.size() + locks.size();
    }

    /** Stops renewing and releases every lease still held. */
    @Override
    public void close() {
        List<Held> all;
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            all = new ArrayList<>(writes.values());
            all.addAll(locks.values());
            writes.clear();
            locks.clear();
        }
        renewer.shutdownNow();
        all.forEach(this::release);
    }
}
