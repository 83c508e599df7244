package io.sklad.webdav;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks WebDAV credentials. The caller maps users to their volumes: a successful login yields the
 * root directory that user sees; every request of that user is confined to it.
 */
@FunctionalInterface
public interface DavRealm {

    /**
     * @return the user's root directory, or empty when the user is unknown or the password is wrong
     */
    Optional<Path> authenticate(String user, String password);
}
