package io.sklad.vfs.attr;

import io.sklad.vfs.client.EntryInfo;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Attributes of one entry, for every view.
 *
 * @param fileKey identity across renames: (volume, inode)
 */
public record SkladFileAttributes(EntryInfo entry, FileKey fileKey) implements UnixFileAttributes {

    /** Identity of a file: volume and inode. */
    public record FileKey(String volume, long inode) {
    }

    @Override
    public FileTime lastModifiedTime() {
        return FileTime.fromMillis(entry.mtimeMillis());
    }

    @Override
    public FileTime lastAccessTime() {
        return FileTime.fromMillis(entry.atimeMillis() != 0 ? entry.atimeMillis() : entry.mtimeMillis());
    }

    @Override
    public FileTime creationTime() {
        return FileTime.fromMillis(entry.createdMillis() != 0 ? entry.createdMillis() : entry.mtimeMillis());
    }

    @Override
    public boolean isRegularFile() {
        return entry.isFile();
    }

    @Override
    public boolean isDirectory() {
        return entry.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return entry.isSymlink();
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public long size() {
        return entry.size();
    }

    @Override
    public UserPrincipal owner() {
        return new NumericUser(entry.uid());
    }

    @Override
    public GroupPrincipal group() {
        return new NumericGroup(entry.gid());
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return toPermissions(entry.mode());
    }

    @Override
    public int mode() {
        int type = switch (entry.kind()) {
            case DIRECTORY -> S_IFDIR;
            case SYMLINK -> S_IFLNK;
            case FILE -> S_IFREG;
        };
        return type | (entry.mode() & 07777);
    }

    @Override
    public long ino() {
        return entry.inode();
    }

    @Override
    public long dev() {
        return fileKey.volume() == null ? 0 : Integer.toUnsignedLong(fileKey.volume().hashCode());
    }

    @Override
    public long rdev() {
        return 0;
    }

    @Override
    public int nlink() {
        return entry.isDirectory() ? 2 : 1;
    }

    @Override
    public int uid() {
        return entry.uid();
    }

    @Override
    public int gid() {
        return entry.gid();
    }

    @Override
    public FileTime ctime() {
        return FileTime.fromMillis(entry.ctimeMillis() != 0 ? entry.ctimeMillis() : entry.mtimeMillis());
    }

    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    public static Set<PosixFilePermission> toPermissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(BITS[i]);
            }
        }
        return out;
    }

    public static int toMode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int i = 0; i < BITS.length; i++) {
            if (permissions.contains(BITS[i])) {
                mode |= 1 << i;
            }
        }
        return mode;
    }
}
