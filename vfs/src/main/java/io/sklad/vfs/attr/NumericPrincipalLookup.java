package io.sklad.vfs.attr;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Looks principals up by number: owners in Sklad are numeric ids shared by every agent, so names that
 * mean something only on one machine are refused.
 */
public final class NumericPrincipalLookup extends UserPrincipalLookupService {

    @Override
    public UserPrincipal lookupPrincipalByName(String name) throws UserPrincipalNotFoundException {
        return new NumericUser(parse(name));
    }

    @Override
    public GroupPrincipal lookupPrincipalByGroupName(String group) throws UserPrincipalNotFoundException {
        return new NumericGroup(parse(group));
    }

    static int parse(String name) throws UserPrincipalNotFoundException {
        try {
            return Integer.parseUnsignedInt(name);
        } catch (NumberFormatException e) {
            throw new UserPrincipalNotFoundException(name);
        }
    }

    /** The uid of a principal: our own, or any whose name is a number. */
    static int uidOf(UserPrincipal p) throws UserPrincipalNotFoundException {
        if (p instanceof NumericUser u) {
            return u.uid();
        }
        return parse(p.getName());
    }

    static int gidOf(GroupPrincipal p) throws UserPrincipalNotFoundException {
        if (p instanceof NumericGroup g) {
            return g.gid();
        }
        return parse(p.getName());
    }
}
