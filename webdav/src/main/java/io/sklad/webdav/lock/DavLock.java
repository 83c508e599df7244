package io.sklad.webdav.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * An active WebDAV write lock.
 *
 * @param token     the lock token ({@code opaquelocktoken:<uuid>})
 * @param root      the locked resource (absolute, normalised), in the file system of the user who locked it
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
        String r = key(resource);
        String mine = key(root);
        return r.equals(mine) || (deep && isBelow(r, mine));
    }

    /** Whether this lock's root is {@code resource} or below it. */
    public boolean isWithin(Path resource) {
        String r = key(resource);
        String mine = key(root);
        return mine.equals(r) || isBelow(mine, r);
    }

    /**
     * What locks compare: the URI of the path's file system root plus the path below it. Different
     * {@code FileSystem} instances over one tree (the Sklad file system opens one per user, so two
     * users' paths to one file are not {@code equals}) give the same key; different trees never do.
     */
    static String key(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path fsRoot = abs.getRoot();
        if (fsRoot == null) {
            return abs.toString();
        }
        String below = fsRoot.relativize(abs).toString();
        String separator = abs.getFileSystem().getSeparator();
        if (!separator.equals("/")) {
            below = below.replace(separator, "/");
        }
        String base = fsRoot.toUri().toString();
        return base.endsWith("/") ? base + below : base + "/" + below;
    }

    private static boolean isBelow(String child, String parent) {
        return child.startsWith(parent.endsWith("/") ? parent : parent + "/");
    }

    DavLock renewed(Duration newTimeout, Instant newExpiry) {
        return new DavLock(token, root, exclusive, deep, ownerXml, principal, newTimeout, newExpiry);
    }
}
