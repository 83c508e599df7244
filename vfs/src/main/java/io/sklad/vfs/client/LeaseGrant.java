package io.sklad.vfs.client;

/** A lease the master granted: its id (for renew and release), expiry and the inode it covers. */
public record LeaseGrant(String leaseId, long expiresAtMillis, long inode) {
}
