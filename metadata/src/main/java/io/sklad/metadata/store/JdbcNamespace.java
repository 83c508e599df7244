package io.sklad.metadata.store;

import io.sklad.metadata.namespace.PathNames;
import io.sklad.metadata.store.Lookups.Child;
import io.sklad.metadata.store.Lookups.Target;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static io.sklad.metadata.store.Lookups.NOW;

/** Directory entries and attributes: create, rename, delete, copy, set attributes. */
final class JdbcNamespace {
    private static final int MAX_SYMLINK_BYTES = 4096;

    // ------------------------------------------------------------------ creation

    static EntryInfo mkdir(Mutation m, VolumeInfo v, String path, NewAttributes a, boolean parents)
            throws SQLException {
        List<String> parts = PathNames.split(path);
        if (parts.isEmpty()) {
            if (parents) {
                return Lookups.entry(m.c, v.rootInode(), "", NOW, path);
            }
            throw new MetadataException(MetaError.ALREADY_EXISTS, "the volume root exists", path);
        }
        long dir = v.rootInode();
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            Child ch = Lookups.lookup(m.c, dir, parts.get(i), NOW);
            if (ch == null) {
                if (!last && !parents) {
                    throw new MetadataException(MetaError.NOT_FOUND, "no such directory: "
                            + String.join("/", parts.subList(0, i + 1)), path);
                }
                long inode = createInode(m, v, EntryKind.DIRECTORY, a, 0, null);
                link(m, v, dir, parts.get(i), inode);
                dir = inode;
            } else if (last) {
                if (parents && ch.kind() == EntryKind.DIRECTORY) {
                    return Lookups.entry(m.c, ch.inode(), parts.get(i), NOW, path);
                }
                throw new MetadataException(MetaError.ALREADY_EXISTS, "already exists", path);
            } else if (ch.kind() != EntryKind.DIRECTORY) {
                throw new MetadataException(MetaError.NOT_DIRECTORY, "not a directory: "
                        + String.join("/", parts.subList(0, i + 1)), path);
            } else {
                dir = ch.inode();
            }
        }
        return Lookups.entry(m.c, dir, parts.get(parts.size() - 1), NOW, path);
    }

    static MetadataStore.Created createFile(Mutation m, VolumeInfo v, String path, NewAttributes a,
                                            boolean exclusive) throws SQLException {
        Target t = Lookups.locate(m.c, v, path, NOW);
        Child ex = t.existing();
        if (ex != null) {
            if (exclusive) {
                throw new MetadataException(MetaError.ALREADY_EXISTS, "already exists", path);
            }
            if (ex.kind() == EntryKind.DIRECTORY) {
                throw new MetadataException(MetaError.IS_DIRECTORY, "is a directory", path);
            }
            if (ex.kind() == EntryKind.SYMLINK) {
                throw new MetadataException(MetaError.ALREADY_EXISTS, "a symbolic link exists there", path);
            }
            return new MetadataStore.Created(Lookups.entry(m.c, ex.inode(), t.name(), NOW, path), false);
        }
        long inode = createInode(m, v, EntryKind.FILE, a, 0, null);
        link(m, v, t.parent(), t.name(), inode);
        return new MetadataStore.Created(Lookups.entry(m.c, inode, t.name(), NOW, path), true);
    }

    static EntryInfo symlink(Mutation m, VolumeInfo v, String path, String target, NewAttributes a)
            throws SQLException {
        if (target == null || target.isEmpty() || target.indexOf('\0') >= 0
                || target.getBytes(StandardCharsets.UTF_8).length > MAX_SYMLINK_BYTES) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT,
                    "symlink target must be 1.." + MAX_SYMLINK_BYTES + " bytes without NUL", path);
        }
        Target t = Lookups.locate(m.c, v, path, NOW);
        if (t.existing() != null) {
            throw new MetadataException(MetaError.ALREADY_EXISTS, "already exists", path);
        }
        long inode = createInode(m, v, EntryKind.SYMLINK, a,
                target.getBytes(StandardCharsets.UTF_8).length, target);
        link(m, v, t.parent(), t.name(), inode);
        return Lookups.entry(m.c, inode, t.name(), NOW, path);
    }

    // ------------------------------------------------------------------ rename, delete, copy

    static EntryInfo rename(Mutation m, VolumeInfo v, String from, String to, boolean replace,
                            boolean noReplaceDir) throws SQLException {
        Target src = Lookups.locate(m.c, v, from, NOW);
        if (src.isRoot()) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "cannot rename the volume root", from, to);
        }
        if (src.existing() == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such file or directory", from, to);
        }
        Target dst = Lookups.locate(m.c, v, to, NOW);
        if (dst.isRoot()) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "cannot replace the volume root", from, to);
        }
        Child moving = src.existing();
        if (src.parent() == dst.parent() && src.name().equals(dst.name())) {
            return Lookups.entry(m.c, moving.inode(), dst.name(), NOW, to);
        }
        if (moving.kind() == EntryKind.DIRECTORY && isSelfOrBelow(m, dst.parent(), moving.inode(), v.rootInode())) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT,
                    "cannot move a directory into its own subtree", from, to);
        }
        if (dst.existing() != null) {
            clearTarget(m, dst, replace, noReplaceDir, from);
        }
        unlink(m, src.parent(), src.name());
        link(m, v, dst.parent(), dst.name(), moving.inode());
        return Lookups.entry(m.c, moving.inode(), dst.name(), NOW, to);
    }

    static void delete(Mutation m, VolumeInfo v, String path, boolean recursive, EntryKind expect)
            throws SQLException {
        Target t = Lookups.existing(m.c, v, path, NOW);
        if (t.isRoot()) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "cannot delete the volume root", path);
        }
        Child ex = t.existing();
        if (expect == EntryKind.FILE && ex.kind() == EntryKind.DIRECTORY) {
            throw new MetadataException(MetaError.IS_DIRECTORY, "is a directory", path);
        }
        if (expect == EntryKind.DIRECTORY && ex.kind() != EntryKind.DIRECTORY) {
            throw new MetadataException(MetaError.NOT_DIRECTORY, "not a directory", path);
        }
        if (ex.kind() == EntryKind.DIRECTORY && !recursive && Lookups.hasChildren(m.c, ex.inode())) {
            throw new MetadataException(MetaError.NOT_EMPTY, "directory not empty", path);
        }
        unlink(m, t.parent(), t.name());
        closeTree(m, ex);
    }

    static EntryInfo copy(Mutation m, VolumeInfo sv, String from, VolumeInfo dv, String to, boolean replace)
            throws SQLException {
        Target src = Lookups.existing(m.c, sv, from, NOW);
        if (src.isRoot()) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "cannot copy the volume root", from, to);
        }
        Target dst = Lookups.locate(m.c, dv, to, NOW);
        if (dst.isRoot()) {
            throw new MetadataException(MetaError.ALREADY_EXISTS, "the volume root exists", to, from);
        }
        Child s = src.existing();
        if (sv.id() == dv.id() && src.parent() == dst.parent() && src.name().equals(dst.name())) {
            return Lookups.entry(m.c, s.inode(), dst.name(), NOW, to);
        }
        if (s.kind() == EntryKind.FILE && sv.blockSize() != dv.blockSize()) {
            throw new MetadataException(MetaError.NOT_SUPPORTED,
                    "copy between volumes with different block sizes needs the data copied", from, to);
        }
        if (dst.existing() != null) {
            clearTarget(m, dst, replace, false, from);
        }
        long inode = m.nextInode();
        Sql.update(m.c, "INSERT INTO inodes (id, volume_id, kind, created_millis) VALUES (?, ?, ?, ?)",
                inode, dv.id(), s.kind().code(), m.millis);
        // A directory copy is the directory alone, as Files.copy does; a file's first version shares the
        // source's block map (same block ids), so no bytes move.
        Sql.update(m.c, "INSERT INTO file_versions (inode, version_tx, size, mode, uid, gid, mtime, atime, ctime,"
                + " symlink_target, valid_from_tx, valid_to_tx) SELECT ?, ?, CASE WHEN ? = 2 THEN 0 ELSE size END,"
                + " mode, uid, gid, mtime, atime, ?, symlink_target, ?, NULL FROM file_versions"
                + " WHERE inode = ? AND valid_to_tx IS NULL", inode, m.tx, s.kind().code(), m.millis, m.tx, s.inode());
        if (s.kind() == EntryKind.FILE) {
            Sql.update(m.c, "INSERT INTO block_map (inode, block_index, block_id, stored_length, valid_from_tx,"
                    + " valid_to_tx) SELECT ?, block_index, block_id, stored_length, ?, NULL FROM block_map"
                    + " WHERE inode = ? AND valid_to_tx IS NULL", inode, m.tx, s.inode());
            if (dv.replicas() > sv.replicas()) {
                Sql.update(m.c, "UPDATE blocks SET replicas_wanted = ? WHERE replicas_wanted < ? AND block_id IN"
                        + " (SELECT block_id FROM block_map WHERE inode = ? AND valid_to_tx IS NULL)",
                        dv.replicas(), dv.replicas(), inode);
            }
        }
        link(m, dv, dst.parent(), dst.name(), inode);
        return Lookups.entry(m.c, inode, dst.name(), NOW, to);
    }

    // ------------------------------------------------------------------ attributes

    static EntryInfo setAttributes(Mutation m, VolumeInfo v, String path, AttributeUpdate u) throws SQLException {
        Target t = Lookups.existing(m.c, v, path, NOW);
        EntryInfo cur = Lookups.entry(m.c, t.existing().inode(), t.name(), NOW, path);
        replaceVersionRow(m, cur, cur.version(), cur.size(), u, cur.mtimeMillis());
        return Lookups.entry(m.c, cur.inode(), t.name(), NOW, path);
    }

    /**
     * Ends {@code cur}'s current attribute row and inserts its successor as of this transaction: {@code u} over
     * {@code cur}'s attributes, {@code mtimeIfUnset} when {@code u} sets no mtime. A commit (new version, new
     * size) and a SetAttributes (same version) both come through here.
     */
    static void replaceVersionRow(Mutation m, EntryInfo cur, long version, long size, AttributeUpdate u,
                                  long mtimeIfUnset) throws SQLException {
        Sql.update(m.c, "UPDATE file_versions SET valid_to_tx = ? WHERE inode = ? AND valid_to_tx IS NULL",
                m.tx, cur.inode());
        insertVersion(m, cur.inode(), version, size,
                u.mode() == null ? cur.mode() : u.mode() & 07777,
                u.uid() == null ? cur.uid() : u.uid(),
                u.gid() == null ? cur.gid() : u.gid(),
                u.mtimeMillis() == null ? mtimeIfUnset : u.mtimeMillis(),
                u.atimeMillis() == null ? cur.atimeMillis() : u.atimeMillis(),
                cur.symlinkTarget());
    }

    static void insertVersion(Mutation m, long inode, long version, long size, int mode, int uid, int gid,
                              long mtime, long atime, String target) throws SQLException {
        Sql.update(m.c, "INSERT INTO file_versions (inode, version_tx, size, mode, uid, gid, mtime, atime, ctime,"
                        + " symlink_target, valid_from_tx, valid_to_tx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                inode, version, size, mode, uid, gid, mtime, atime, m.millis, target, m.tx);
    }

    /** Creates the volume root directory; returns its inode. */
    static long createRoot(Mutation m, long volumeId) throws SQLException {
        long inode = m.nextInode();
        Sql.update(m.c, "INSERT INTO inodes (id, volume_id, kind, created_millis) VALUES (?, ?, ?, ?)",
                inode, volumeId, EntryKind.DIRECTORY.code(), m.millis);
        insertVersion(m, inode, m.tx, 0, 0755, 0, 0, m.millis, m.millis, null);
        return inode;
    }

    // ------------------------------------------------------------------ helpers

    private static long createInode(Mutation m, VolumeInfo v, EntryKind kind, NewAttributes a, long size,
                                    String target) throws SQLException {
        long inode = m.nextInode();
        Sql.update(m.c, "INSERT INTO inodes (id, volume_id, kind, created_millis) VALUES (?, ?, ?, ?)",
                inode, v.id(), kind.code(), m.millis);
        int mode = a.mode() != 0 ? a.mode() & 07777 : switch (kind) {
            case FILE -> 0644;
            case DIRECTORY -> 0755;
            case SYMLINK -> 0777;
        };
        insertVersion(m, inode, m.tx, size, mode, a.uid(), a.gid(), m.millis, m.millis, target);
        return inode;
    }

    private static void link(Mutation m, VolumeInfo v, long parent, String name, long inode) throws SQLException {
        Sql.update(m.c, "INSERT INTO dentries (volume_id, parent_inode, name, inode, valid_from_tx, valid_to_tx)"
                + " VALUES (?, ?, ?, ?, ?, NULL)", v.id(), parent, name, inode, m.tx);
    }

    private static void unlink(Mutation m, long parent, String name) throws SQLException {
        Sql.update(m.c, "UPDATE dentries SET valid_to_tx = ? WHERE parent_inode = ? AND name = ?"
                + " AND valid_to_tx IS NULL", m.tx, parent, name);
    }

    /** Makes room at an existing target for rename/copy with replace: a file or an empty directory goes. */
    private static void clearTarget(Mutation m, Target dst, boolean replace, boolean noReplaceDir, String from)
            throws SQLException {
        Child ex = dst.existing();
        if (!replace) {
            throw new MetadataException(MetaError.ALREADY_EXISTS, "target exists", dst.path(), from);
        }
        if (ex.kind() == EntryKind.DIRECTORY) {
            if (noReplaceDir) {
                throw new MetadataException(MetaError.IS_DIRECTORY, "target is a directory", dst.path(), from);
            }
            if (Lookups.hasChildren(m.c, ex.inode())) {
                throw new MetadataException(MetaError.NOT_EMPTY, "target directory not empty", dst.path(), from);
            }
        }
        unlink(m, dst.parent(), dst.name());
        closeTree(m, ex);
    }

    /** Whether {@code dir} is {@code ancestor} or lies below it (walking current dentries up to the root). */
    private static boolean isSelfOrBelow(Mutation m, long dir, long ancestor, long root) throws SQLException {
        long cur = dir;
        while (cur != root) {
            if (cur == ancestor) {
                return true;
            }
            Long parent = Sql.first(m.c, "SELECT parent_inode FROM dentries WHERE inode = ? AND valid_to_tx IS NULL",
                    rs -> rs.getLong(1), cur);
            if (parent == null) {
                return false;
            }
            cur = parent;
        }
        return false;
    }

    /**
     * Sends an unlinked inode and everything below it to history: closes dentries, attribute rows and
     * block map rows at this tx. Nothing is deleted; retention decides later.
     */
    private static void closeTree(Mutation m, Child top) throws SQLException {
        List<Long> closing = new ArrayList<>();
        closing.add(top.inode());
        Deque<Long> dirs = new ArrayDeque<>();
        if (top.kind() == EntryKind.DIRECTORY) {
            dirs.add(top.inode());
        }
        while (!dirs.isEmpty()) {
            long dir = dirs.poll();
            List<Child> children = Sql.query(m.c, "SELECT d.inode, i.kind FROM dentries d JOIN inodes i"
                            + " ON i.id = d.inode WHERE d.parent_inode = ? AND d.valid_to_tx IS NULL",
                    rs -> new Child(rs.getLong(1), EntryKind.ofCode(rs.getInt(2))), dir);
            Sql.update(m.c, "UPDATE dentries SET valid_to_tx = ? WHERE parent_inode = ? AND valid_to_tx IS NULL",
                    m.tx, dir);
            for (Child ch : children) {
                closing.add(ch.inode());
                if (ch.kind() == EntryKind.DIRECTORY) {
                    dirs.add(ch.inode());
                }
            }
            if (closing.size() >= 1000) {
                closeInodes(m, closing);
                closing.clear();
            }
        }
        closeInodes(m, closing);
    }

    private static void closeInodes(Mutation m, List<Long> inodes) throws SQLException {
        if (inodes.isEmpty()) {
            return;
        }
        try (PreparedStatement versions = m.c.prepareStatement(
                "UPDATE file_versions SET valid_to_tx = ? WHERE inode = ? AND valid_to_tx IS NULL");
             PreparedStatement blocks = m.c.prepareStatement(
                     "UPDATE block_map SET valid_to_tx = ? WHERE inode = ? AND valid_to_tx IS NULL")) {
            for (long inode : inodes) {
                Sql.bind(versions, m.tx, inode);
                versions.addBatch();
                Sql.bind(blocks, m.tx, inode);
                blocks.addBatch();
            }
            versions.executeBatch();
            blocks.executeBatch();
        }
    }

    private JdbcNamespace() {
    }
}
