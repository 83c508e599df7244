package io.sklad.vfs.lease;

/**
 * An explicit lock on a file (what a WebDAV LOCK becomes): a master lease the agent keeps renewed until
 * {@code expiresAtMillis} (the lock's own timeout, which may be far longer than a lease's ttl) or an unlock.
 *
 * @param id        stable for the lock's life, what renew and unlock take
 * @param path      the locked file as {@code /VOLUME/path}
 * @param exclusive exclusive (EXCLUSIVE lease) or shared (SHARED_READ lease)
 */
public record SkladLock(String id, String path, boolean exclusive, long expiresAtMillis) {
}
