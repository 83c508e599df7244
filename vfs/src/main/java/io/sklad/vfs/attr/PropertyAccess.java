package io.sklad.vfs.attr;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** What a {@link SkladUserAttributeView} needs from the file system for one path: the master's properties. */
public interface PropertyAccess {

    /** Every property of the entry, by name. */
    Map<String, byte[]> read() throws IOException;

    /** Removes, then sets, in one step (all or nothing). */
    void update(Map<String, byte[]> set, Collection<String> remove) throws IOException;
}
