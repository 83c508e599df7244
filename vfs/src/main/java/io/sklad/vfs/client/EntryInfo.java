package io.sklad.vfs.client;

/**
 * One namespace entry with the attributes of one of its versions.
 *
 * @param name          last path component ("" for a volume root)
 * @param inode         identity that survives renames
 * @param version       transaction id of the version these attributes belong to
 * @param mode          permission bits (07777), without the file-type bits
 * @param symlinkTarget target of a symbolic link, else empty
 */
public record EntryInfo(String name, long inode, EntryKind kind, long version, long size, int mode, int uid, int gid,
                        long mtimeMillis, long ctimeMillis, long atimeMillis, long createdMillis,
                        String symlinkTarget) {

    public boolean isDirectory() {
        return kind == EntryKind.DIRECTORY;
    }

    public boolean isFile() {
        return kind == EntryKind.FILE;
    }

    public boolean isSymlink() {
        return kind == EntryKind.SYMLINK;
    }

    /** The same entry with {@code change} applied (attribute changes not yet committed). */
    public EntryInfo with(AttributeChange change) {
        return new EntryInfo(name, inode, kind, version, size,
                change.mode() != null ? change.mode() & 07777 : mode,
                change.uid() != null ? change.uid() : uid,
                change.gid() != null ? change.gid() : gid,
                change.mtimeMillis() != null ? change.mtimeMillis() : mtimeMillis, ctimeMillis,
                change.atimeMillis() != null ? change.atimeMillis() : atimeMillis, createdMillis, symlinkTarget);
    }

    /** The same entry with another size (an open file's in-flight length). */
    public EntryInfo withSize(long newSize) {
        return new EntryInfo(name, inode, kind, version, newSize, mode, uid, gid, mtimeMillis, ctimeMillis,
                atimeMillis, createdMillis, symlinkTarget);
    }
}
