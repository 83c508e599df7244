package io.sklad.metadata.store;

/** One entry with the attributes of one of its versions. {@code name} is "" for a volume root. */
public record EntryInfo(String name, long inode, EntryKind kind, long version, long size, int mode,
                        int uid, int gid, long mtimeMillis, long ctimeMillis, long atimeMillis,
                        long createdMillis, String symlinkTarget) {

    public EntryInfo withName(String newName) {
        return new EntryInfo(newName, inode, kind, version, size, mode, uid, gid, mtimeMillis,
                ctimeMillis, atimeMillis, createdMillis, symlinkTarget);
    }
}
