package io.sklad.metadata.lease;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The master's write leases, in memory.
 *
 * <p>Why not in the database: a lease lives for seconds to minutes and is renewed every few seconds by every
 * writing agent; persisting each renewal would cost a transaction for nothing durable. Losing them all in a
 * master restart is safe: every commit is compare-and-set on its base version, so a writer that lost its lease
 * can at worst be refused with a conflict, never overwrite silently; agents re-acquire on their next renewal.
 *
 * <p>Expired leases are dropped lazily when their file is touched, and all of them in a sweep at most every
 * {@link #SWEEP_EVERY}. All methods are synchronized: each is a few map operations.
 */
public final class LeaseTable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseTable.class);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
    public static final Duration MIN_TTL = Duration.ofSeconds(1);
    public static final Duration MAX_TTL = Duration.ofMinutes(10);
    static final Duration SWEEP_EVERY = Duration.ofSeconds(30);
    public static final int MAX_HOLDER_LENGTH = 128;

    private record FileKey(String volume, long inode) {
    }

    private final Clock clock;
    private final Map<String, Lease> byId = new HashMap<>();
    private final Map<FileKey, List<Lease>> byFile = new HashMap<>();
    private long lastSweep;

    public LeaseTable(Clock clock) {
        this.clock = clock;
        this.lastSweep = clock.millis();
    }

    /** Clamps a requested ttl (null or zero = the default) into {@code [MIN_TTL, MAX_TTL]}. */
    public static long ttlMillis(Duration requested) {
        if (requested == null || requested.isZero() || requested.isNegative()) {
            return DEFAULT_TTL.toMillis();
        }
        return Math.max(MIN_TTL.toMillis(), Math.min(MAX_TTL.toMillis(), requested.toMillis()));
    }

    /** Throws INVALID_ARGUMENT unless {@code holder} is 1..128 printable ASCII characters. */
    public static String checkHolder(String holder) {
        if (holder == null || holder.isEmpty() || holder.length() > MAX_HOLDER_LENGTH
                || !holder.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "a lease holder id must be 1.."
                    + MAX_HOLDER_LENGTH + " printable ASCII characters without spaces");
        }
        return holder;
    }

    /** A new lease, or CONFLICT naming the holder in the way. {@code path} is for messages only. */
    public synchronized Lease acquire(String volume, long inode, String path, LeaseMode mode, String holder,
                                      String user, Duration ttl) {
        checkHolder(holder);
        long now = clock.millis();
        maybeSweep(now);
        FileKey key = new FileKey(volume, inode);
        for (Lease other : live(key, now)) {
            if (!other.holder().equals(holder) && !mode.compatibleWith(other.mode())) {
                throw conflict(other, path, "cannot take a " + mode + " lease");
            }
        }
        long ttlMillis = ttlMillis(ttl);
        Lease lease = new Lease(UUID.randomUUID().toString(), volume, inode, mode, holder, user, ttlMillis,
                now + ttlMillis);
        byId.put(lease.id(), lease);
        byFile.computeIfAbsent(key, k -> new ArrayList<>()).add(lease);
        LOG.debug("lease {} {} on {}:{} for {} ({})", lease.id(), mode, volume, path, holder, user);
        return lease;
    }

    /** Extends a live lease of {@code user}; NOT_FOUND when it expired or is unknown. ttl null = its own. */
    public synchronized Lease renew(String leaseId, String user, Duration ttl) {
        long now = clock.millis();
        Lease lease = liveById(leaseId, now);
        if (lease == null || !lease.user().equals(user)) {
            throw new MetadataException(MetaError.NOT_FOUND, "lease expired or unknown: acquire a new one");
        }
        long ttlMillis = ttl == null || ttl.isZero() || ttl.isNegative() ? lease.ttlMillis() : ttlMillis(ttl);
        Lease renewed = lease.renewedUntil(now + ttlMillis, ttlMillis);
        replace(lease, renewed);
        return renewed;
    }

    /** Drops a lease of {@code user} (any lease for an admin); false when it was already gone. */
    public synchronized boolean release(String leaseId, String user, boolean admin) {
        Lease lease = liveById(leaseId, clock.millis());
        if (lease == null || !(admin || lease.user().equals(user))) {
            return false;
        }
        remove(lease);
        return true;
    }

    /** The live leases on a file. */
    public synchronized List<Lease> leasesOn(String volume, long inode) {
        return List.copyOf(live(new FileKey(volume, inode), clock.millis()));
    }

    /**
     * Throws CONFLICT when another holder than {@code holder} (null = a commit naming none) holds an
     * EXCLUSIVE or WRITE_SHARED_READ lease on the file.
     */
    public synchronized void checkCommit(String volume, long inode, String path, String holder) {
        for (Lease other : live(new FileKey(volume, inode), clock.millis())) {
            if (other.mode().writes() && !other.holder().equals(holder)) {
                throw conflict(other, path, "cannot commit");
            }
        }
    }

    /** Live leases in the table (expired ones not yet swept are not counted). */
    public synchronized int size() {
        long now = clock.millis();
        return (int) byId.values().stream().filter(l -> l.expiresAtMillis() > now).count();
    }

    private static MetadataException conflict(Lease other, String path, String what) {
        return new MetadataException(MetaError.CONFLICT, what + ": " + path + " is leased " + other.mode()
                + " by holder " + other.holder() + " (user " + other.user() + ") until "
                + Instant.ofEpochMilli(other.expiresAtMillis()), path);
    }

    private Lease liveById(String leaseId, long now) {
        Lease lease = leaseId == null ? null : byId.get(leaseId);
        if (lease != null && lease.expiresAtMillis() <= now) {
            remove(lease);
            return null;
        }
        return lease;
    }

    /** The live leases of a file; drops its expired ones on the way. */
    private List<Lease> live(FileKey key, long now) {
        List<Lease> list = byFile.get(key);
        if (list == null) {
            return List.of();
        }
        List<Lease> expired = list.stream().filter(l -> l.expiresAtMillis() <= now).toList();
        expired.forEach(this::remove);
        List<Lease> left = byFile.get(key);
        return left == null ? List.of() : new ArrayList<>(left);
    }

    private void replace(Lease old, Lease renewed) {
        byId.put(renewed.id(), renewed);
        List<Lease> list = byFile.get(new FileKey(old.volume(), old.inode()));
        list.set(list.indexOf(old), renewed);
    }

    private void remove(Lease lease) {
        byId.remove(lease.id());
        FileKey key = new FileKey(lease.volume(), lease.inode());
        List<Lease> list = byFile.get(key);
        if (list != null) {
            list.remove(lease);
            if (list.isEmpty()) {
                byFile.remove(key);
            }
        }
    }

    private void maybeSweep(long now) {
        if (now - lastSweep < SWEEP_EVERY.toMillis()) {
            return;
        }
        lastSweep = now;
        List<Lease> expired = byId.values().stream().filter(l -> l.expiresAtMillis() <= now).toList();
        expired.forEach(this::remove);
        if (!expired.isEmpty()) {
            LOG.info("{} leases expired without renewal", expired.size());
        }
    }
}
