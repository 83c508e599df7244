package io.sklad.vfs.attr;

import io.sklad.vfs.client.AttributeChange;

import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The {@code basic}, {@code owner}, {@code posix} and {@code unix} views of one path in one class: each reads
 * the entry on demand and writes through SetAttributes.
 */
public final class SkladAttributeView implements UnixFileAttributeView {

    private final String name;
    private final AttributeAccess access;

    public SkladAttributeView(String name, AttributeAccess access) {
        this.name = name;
        this.access = access;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SkladFileAttributes readAttributes() throws IOException {
        return access.read();
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
            throws IOException {
        if (lastModifiedTime == null && lastAccessTime == null) {
            return; // creation time is fixed, as on Linux
        }
        access.change(AttributeChange.times(lastModifiedTime == null ? null : lastModifiedTime.toMillis(),
                lastAccessTime == null ? null : lastAccessTime.toMillis()));
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
        setMode(SkladFileAttributes.toMode(perms));
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
        setGid(NumericPrincipalLookup.gidOf(group));
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
        return access.read().owner();
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
        setUid(NumericPrincipalLookup.uidOf(owner));
    }

    @Override
    public void setMode(int mode) throws IOException {
        access.change(AttributeChange.mode(mode & 07777));
    }

    @Override
    public void setUid(int uid) throws IOException {
        access.change(AttributeChange.owner(uid, null));
    }

    @Override
    public void setGid(int gid) throws IOException {
        access.change(AttributeChange.owner(null, gid));
    }
}
