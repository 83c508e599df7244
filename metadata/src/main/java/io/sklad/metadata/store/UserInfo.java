package io.sklad.metadata.store;

import java.util.List;

/** A user as administrators see it: flags, grants by volume name and how many keys it has. */
public record UserInfo(String name, boolean admin, boolean disabled, List<UserGrant> grants, int keyCount,
                       long createdAtMillis) {
    public UserInfo {
        grants = List.copyOf(grants);
    }
}
