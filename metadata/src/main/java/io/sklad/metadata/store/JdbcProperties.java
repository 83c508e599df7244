package io.sklad.metadata.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * User-defined properties of entries (table {@code file_properties}): name to bytes per inode, bounded so
 * that no client can grow the master's database without limit through them. Called inside a transaction
 * framed by {@link JdbcMetadataStore}, which has checked access.
 */
final class JdbcProperties {
    /** Longest value, in bytes. */
    static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Longest name, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
    /** Most properties on one entry. */
    static final int MAX_PER_ENTRY = 256;
    /** Most bytes of names and values on one entry. */
    static final int MAX_BYTES_PER_ENTRY = 1024 * 1024;

    private JdbcProperties() {
    }

    /** The properties of an inode, by name. */
    static Map<String, byte[]> read(Connection c, long inode) throws SQLException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Object[] row : Sql.query(c, "SELECT name, prop_value FROM file_properties WHERE inode = ? ORDER BY name",
                rs -> new Object[] {rs.getString(1), rs.getBytes(2)}, inode)) {
            out.put((String) row[0], (byte[]) row[1]);
        }
        return out;
    }

    /**
     * Applies removals, then sets, checking every limit on the result before anything is written.
     *
     * @param path for messages only
     */
    static void update(Connection c, long inode, Map<String, byte[]> set, Collection<String> remove, String path)
            throws SQLException {
        for (String name : set.keySet()) {
            checkName(name, path);
            if (set.get(name).length > MAX_VALUE_BYTES) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "property " + name + " has a value of "
                        + set.get(name).length + " bytes, more than the limit of " + MAX_VALUE_BYTES, path);
            }
        }
        for (String name : remove) {
            checkName(name, path);
        }
        Map<String, byte[]> result = new TreeMap<>(read(c, inode));
        remove.forEach(result::remove);
        result.putAll(set);
        if (result.size() > MAX_PER_ENTRY) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "an entry may have at most " + MAX_PER_ENTRY
                    + " properties (this change would make " + result.size() + ")", path);
        }
        long bytes = 0;
        for (Map.Entry<String, byte[]> e : result.entrySet()) {
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().length;
        }
        if (bytes > MAX_BYTES_PER_ENTRY) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "the properties of an entry may hold at most "
                    + MAX_BYTES_PER_ENTRY + " bytes (this change would make " + bytes + ")", path);
        }
        for (String name : remove) {
            if (!set.containsKey(name)) {
                Sql.update(c, "DELETE FROM file_properties WHERE inode = ? AND name = ?", inode, name);
            }
        }
        for (Map.Entry<String, byte[]> e : set.entrySet()) {
            if (Sql.update(c, "UPDATE file_properties SET prop_value = ? WHERE inode = ? AND name = ?",
                    e.getValue(), inode, e.getKey()) == 0) {
                Sql.update(c, "INSERT INTO file_properties (inode, name, prop_value) VALUES (?, ?, ?)",
                        inode, e.getKey(), e.getValue());
            }
        }
    }

    /** Drops the properties of a volume's inodes that no directory entry (current or in history) names any more. */
    static int purgeUnreachable(Connection c, long volumeId) throws SQLException {
        // the volume root has no directory entry: it is reachable as long as the volume exists
        return Sql.update(c, "DELETE FROM file_properties WHERE inode IN (SELECT id FROM inodes WHERE volume_id = ?)"
                + " AND inode <> (SELECT root_inode FROM volumes WHERE id = ?)"
                + " AND NOT EXISTS (SELECT 1 FROM dentries d WHERE d.inode = file_properties.inode)", volumeId, volumeId);
    }

    private static void checkName(String name, String path) {
        int len = name == null ? 0 : name.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0 || len > MAX_NAME_BYTES || name.indexOf('\0') >= 0) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "a property name must be 1.." + MAX_NAME_BYTES
                    + " UTF-8 bytes without NUL", path);
        }
    }
}
