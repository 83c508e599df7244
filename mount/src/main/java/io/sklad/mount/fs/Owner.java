package io.sklad.mount.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A numeric owner: what files of a provider without the {@code unix} view are shown as owned by.
 *
 * @param uid user id
 * @param gid group id
 */
public record Owner(int uid, int gid) {

    /** The user running this JVM (the one that mounts), read from {@code /proc/self}. */
    public static Owner ofCurrentProcess() {
        for (String candidate : new String[] {"/proc/self", System.getProperty("user.home", "/")}) {
            try {
                Path path = Path.of(candidate);
                return new Owner((Integer) Files.getAttribute(path, "unix:uid"),
                        (Integer) Files.getAttribute(path, "unix:gid"));
            } catch (IOException | RuntimeException e) {
                // try the next candidate
            }
        }
        return new Owner(0, 0);
    }
}
