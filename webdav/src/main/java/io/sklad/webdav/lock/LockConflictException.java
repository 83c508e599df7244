package io.sklad.webdav.lock;

/** A LOCK that conflicts with a lock someone already holds (HTTP 423). */
public final class LockConflictException extends Exception {

    private final transient DavLock conflicting;

    public LockConflictException(DavLock conflicting) {
        super("conflicts with lock on " + conflicting.root());
        this.conflicting = conflicting;
    }

    public DavLock conflicting() {
        return conflicting;
    }
}
