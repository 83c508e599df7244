package io.sklad.webdav.fs;

import java.nio.file.attribute.BasicFileAttributes;

/**
 * How a resource's entity tag is made from its attributes. The tag must change whenever the content does:
 * the Sklad agent uses the file's version id (a strong validator); a plain tree has only size and time.
 */
@FunctionalInterface
public interface EntityTags {

    /** The quoted entity tag, e.g. {@code "\"1a2b\""}. */
    String of(BasicFileAttributes attributes);

    /** Size and modification time, in hex: what any file system offers. */
    EntityTags SIZE_AND_TIME = a -> "\"" + Long.toHexString(a.size()) + "-"
            + Long.toHexString(a.lastModifiedTime().toMillis()) + "\"";
}
