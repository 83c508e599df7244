package io.sklad.webdav.lock;

import java.time.Duration;

/** What a LOCK asks for; see {@link DavLock} for the fields. */
public record LockRequest(boolean exclusive, boolean deep, String ownerXml, String principal, Duration timeout) {
}
