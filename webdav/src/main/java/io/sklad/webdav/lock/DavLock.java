package io.sklad.webdav.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * An active WebDAV write lock.
 *
 * @param token     the lock token ({@code opaquelocktoken:<uuid>})
 * @param root      the locked resource (absolute, normalised)
 * @param exclusive exclusive or shared
 * @param deep      depth infinity (covers every descendant) or depth 0
 * @param ownerXml  the client's {@code <owner>} content, as XML, or empty
 * @param principal the user who took the lock; only they may use the token
 * @param timeout   the granted timeout
 * @param expiresAt when the lock lapses unless refreshed
 */
public record DavLock(String token, Path root, boolean exclusive, boolean deep, String ownerXml,
                      String principal, Duration timeout, Instant expiresAt) {

    /** Whether this lock protects {@code resource} (the root itself or, when deep, a descendant). */
    public boolean covers(Path resource) {
        return resource.equals(root) || (deep && resource.startsWith(root));
    }

    /** Whether this lock's root is {@code resource} or below it. */
    public boolean isWithin(Path resource) {
        return root.startsWith(resource);
    }

    DavLock renewed(Duration newTimeout, Instant newExpiry) {
        return new DavLock(token, root, exclusive, deep, ownerXml, principal, newTimeout, newExpiry);
    }
}
