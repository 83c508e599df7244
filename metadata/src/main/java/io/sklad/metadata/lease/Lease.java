package io.sklad.metadata.lease;

/**
 * A live lease on one file (volume + inode).
 *
 * @param holder the agent-chosen id leases of one agent share; leases of one holder never conflict
 * @param user   the user who acquired it
 */
public record Lease(String id, String volume, long inode, LeaseMode mode, String holder, String user,
                    long ttlMillis, long expiresAtMillis) {

    Lease renewedUntil(long expires, long ttl) {
        return new Lease(id, volume, inode, mode, holder, user, ttl, expires);
    }
}
