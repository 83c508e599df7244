package io.sklad.vfs.attr;

import java.nio.file.attribute.GroupPrincipal;

/** A group known by number only: its name is the gid in decimal. */
public record NumericGroup(int gid) implements GroupPrincipal {

    @Override
    public String getName() {
        return Integer.toUnsignedString(gid);
    }

    @Override
    public String toString() {
        return getName();
    }
}
