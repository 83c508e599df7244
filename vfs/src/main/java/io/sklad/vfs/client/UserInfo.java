package io.sklad.vfs.client;

import java.util.List;

/** A user as the master's AdminService lists it. */
public record UserInfo(String name, boolean admin, boolean disabled, List<VolumeGrant> grants, int keyCount,
                       long createdAtMillis) {
    public UserInfo {
        grants = List.copyOf(grants);
    }
}
