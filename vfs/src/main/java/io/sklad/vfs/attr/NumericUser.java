package io.sklad.vfs.attr;

import java.nio.file.attribute.UserPrincipal;

/** A user known by number only: its name is the uid in decimal. */
public record NumericUser(int uid) implements UserPrincipal {

    @Override
    public String getName() {
        return Integer.toUnsignedString(uid);
    }

    @Override
    public String toString() {
        return getName();
    }
}
