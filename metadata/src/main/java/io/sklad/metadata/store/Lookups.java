package io.sklad.metadata.store;

import io.sklad.metadata.namespace.PathNames;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads shared by the namespace and contents operations: volumes and access, path resolution
 * and entry attributes, all "as of" a tx ({@link #NOW} = the current rows).
 */
final class Lookups {
    /** The tx that sees exactly the current rows (valid_to_tx IS NULL). */
    static final long NOW = Long.MAX_VALUE;

    static final String VALID_D = " d.valid_from_tx <= ? AND (d.valid_to_tx IS NULL OR d.valid_to_tx > ?) ";
    static final String VALID_V = " v.valid_from_tx <= ? AND (v.valid_to_tx IS NULL OR v.valid_to_tx > ?) ";
    static final String ENTRY_COLUMNS = "i.id, i.kind, i.created_millis, v.version_tx, v.size, v.mode, v.uid, v.gid,"
            + " v.mtime, v.atime, v.ctime, v.symlink_target";
    private static final String VOLUME_COLUMNS =
            "id, name, replicas, block_size, write_quorum, created_at, root_inode, retention_millis";

    private Lookups() {
    }

    /** An existing inode reached through a path. */
    record Child(long inode, EntryKind kind) {
    }

    /** Where a path points: its parent directory and name, and what is there now (or null). */
    record Target(String path, long parent, String name, Child existing) {
        boolean isRoot() {
            return parent == 0;
        }
    }

    // ------------------------------------------------------------------ volumes

    static VolumeInfo volume(Connection c, Principal caller, String name, boolean write) throws SQLException {
        VolumeInfo v = volumeByName(c, name);
        if (v == null) {
            throw new MetadataException(MetaError.UNKNOWN_VOLUME, "no such volume: " + name, name);
        }
        if (!caller.admin()) {
            String role = Sql.first(c, "SELECT role FROM grants WHERE user_name = ? AND volume_id = ?",
                    rs -> rs.getString(1), caller.user(), v.id());
            if (role == null) {
                throw new MetadataException(MetaError.ACCESS_DENIED, "no access to volume " + name, name);
            }
            if (write && !Role.valueOf(role).canWrite()) {
                throw new MetadataException(MetaError.ACCESS_DENIED, "read-only access to volume " + name, name);
            }
        }
        return v;
    }

    static VolumeInfo volumeByName(Connection c, String name) throws SQLException {
        if (name == null || name.isEmpty()) {
            throw new MetadataException(MetaError.UNKNOWN_VOLUME, "no volume given");
        }
        PathNames.checkName(name, name);
        return Sql.first(c, "SELECT " + VOLUME_COLUMNS + " FROM volumes WHERE name = ?", Lookups::volumeRow, name);
    }

    static List<VolumeInfo> volumes(Connection c, Principal caller) throws SQLException {
        if (caller.admin()) {
            return Sql.query(c, "SELECT " + VOLUME_COLUMNS + " FROM volumes ORDER BY name", Lookups::volumeRow);
        }
        return Sql.query(c, "SELECT " + VOLUME_COLUMNS + " FROM volumes WHERE id IN"
                + " (SELECT volume_id FROM grants WHERE user_name = ?) ORDER BY name", Lookups::volumeRow, caller.user());
    }

    private static VolumeInfo volumeRow(ResultSet rs) throws SQLException {
        return new VolumeInfo(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8));
    }

    // ------------------------------------------------------------------ time

    static long resolveTx(Connection c, AsOf asOf) throws SQLException {
        if (asOf.tx() > 0) {
            return asOf.tx();
        }
        if (asOf.millis() > 0) {
            return Sql.count(c, "SELECT COALESCE(MAX(id), 0) FROM tx WHERE at_millis <= ?", asOf.millis());
        }
        return NOW;
    }

    static long lastTx(Connection c) throws SQLException {
        return Sql.count(c, "SELECT last_tx FROM counters WHERE id = 1");
    }

    // ------------------------------------------------------------------ paths

    static Target locate(Connection c, VolumeInfo v, String path, long t) throws SQLException {
        List<String> parts = PathNames.split(path);
        if (parts.isEmpty()) {
            return new Target(path, 0, "", new Child(v.rootInode(), EntryKind.DIRECTORY));
        }
        long dir = v.rootInode();
        for (int i = 0; i < parts.size() - 1; i++) {
            Child ch = lookup(c, dir, parts.get(i), t);
            if (ch == null) {
                throw new MetadataException(MetaError.NOT_FOUND, "no such directory: "
                        + String.join("/", parts.subList(0, i + 1)), path);
            }
            if (ch.kind() != EntryKind.DIRECTORY) {
                throw new MetadataException(MetaError.NOT_DIRECTORY, "not a directory: "
                        + String.join("/", parts.subList(0, i + 1)), path);
            }
            dir = ch.inode();
        }
        String name = parts.get(parts.size() - 1);
        return new Target(path, dir, name, lookup(c, dir, name, t));
    }

    /** The target, which must exist. */
    static Target existing(Connection c, VolumeInfo v, String path, long t) throws SQLException {
        Target target = locate(c, v, path, t);
        if (target.existing() == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such file or directory", path);
        }
        return target;
    }

    static Child lookup(Connection c, long parent, String name, long t) throws SQLException {
        return Sql.first(c, "SELECT d.inode, i.kind FROM dentries d JOIN inodes i ON i.id = d.inode"
                        + " WHERE d.parent_inode = ? AND d.name = ? AND" + VALID_D,
                rs -> new Child(rs.getLong(1), EntryKind.ofCode(rs.getInt(2))), parent, name, t, t);
    }

    static boolean hasChildren(Connection c, long dir) throws SQLException {
        return Sql.first(c, "SELECT 1 FROM dentries WHERE parent_inode = ? AND valid_to_tx IS NULL",
                rs -> Boolean.TRUE, dir) != null;
    }

    // ------------------------------------------------------------------ entries

    static EntryInfo entry(Connection c, long inode, String name, long t, String path) throws SQLException {
        EntryInfo e = Sql.first(c, "SELECT " + ENTRY_COLUMNS + " FROM inodes i JOIN file_versions v ON v.inode = i.id"
                + " WHERE i.id = ? AND" + VALID_V, rs -> entryRow(rs, name), inode, t, t);
        if (e == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such file or directory", path);
        }
        return e;
    }

    static EntryInfo entryOfVersion(Connection c, long inode, String name, long version, long t, String path)
            throws SQLException {
        EntryInfo e = Sql.first(c, "SELECT " + ENTRY_COLUMNS + " FROM inodes i JOIN file_versions v ON v.inode = i.id"
                        + " WHERE i.id = ? AND v.version_tx = ? AND v.valid_from_tx <= ? ORDER BY v.valid_from_tx DESC",
                rs -> entryRow(rs, name), inode, version, t);
        if (e == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "no version " + version, path);
        }
        return e;
    }

    /** Maps {@link #ENTRY_COLUMNS} starting at column 1. */
    static EntryInfo entryRow(ResultSet rs, String name) throws SQLException {
        return entryRow(rs, 1, name);
    }

    static EntryInfo entryRow(ResultSet rs, int at, String name) throws SQLException {
        return new EntryInfo(name, rs.getLong(at), EntryKind.ofCode(rs.getInt(at + 1)), rs.getLong(at + 3),
                rs.getLong(at + 4), rs.getInt(at + 5), rs.getInt(at + 6), rs.getInt(at + 7), rs.getLong(at + 8),
                rs.getLong(at + 10), rs.getLong(at + 9), rs.getLong(at + 2), rs.getString(at + 11));
    }
}
