package io.sklad.metadata.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * User administration over JDBC: users, grants, SSH keys and tokens. Every method runs inside the
 * caller's transaction ({@link JdbcMetadataStore} frames them) and throws {@link MetadataException}.
 */
final class JdbcUsers {
    private JdbcUsers() {
    }

    static void requireUser(Connection c, String name) throws SQLException {
        if (Sql.first(c, "SELECT 1 FROM users WHERE name = ?", rs -> 1, name) == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such user: " + name);
        }
    }

    static List<UserInfo> list(Connection c, String onlyName) throws SQLException {
        String where = onlyName == null ? "" : " WHERE u.name = ?";
        Object[] args = onlyName == null ? new Object[0] : new Object[] {onlyName};
        Map<String, UserInfo> users = new LinkedHashMap<>();
        Map<String, List<UserGrant>> grants = new LinkedHashMap<>();
        for (UserInfo u : Sql.query(c, "SELECT u.name, u.admin, u.disabled, u.created_at,"
                + " (SELECT COUNT(*) FROM user_keys k WHERE k.user_name = u.name) FROM users u" + where
                + " ORDER BY u.name", rs -> new UserInfo(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3),
                List.of(), rs.getInt(5), rs.getLong(4)), args)) {
            users.put(u.name(), u);
            grants.put(u.name(), new ArrayList<>());
        }
        String grantWhere = onlyName == null ? "" : " WHERE g.user_name = ?";
        for (String[] g : Sql.query(c, "SELECT g.user_name, v.name, g.role FROM grants g"
                + " JOIN volumes v ON v.id = g.volume_id" + grantWhere + " ORDER BY v.name",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, args)) {
            List<UserGrant> list = grants.get(g[0]);
            if (list != null) {
                list.add(new UserGrant(g[1], Role.valueOf(g[2])));
            }
        }
        List<UserInfo> out = new ArrayList<>(users.size());
        users.values().forEach(u -> out.add(new UserInfo(u.name(), u.admin(), u.disabled(), grants.get(u.name()),
                u.keyCount(), u.createdAtMillis())));
        return out;
    }

    static void remove(Connection c, String name) throws SQLException {
        requireUser(c, name);
        Sql.update(c, "DELETE FROM grants WHERE user_name = ?", name);
        Sql.update(c, "DELETE FROM user_keys WHERE user_name = ?", name);
        // revoked, not deleted: a user created later under the same name must not inherit them
        Sql.update(c, "UPDATE tokens SET revoked = ? WHERE user_name = ?", true, name);
        Sql.update(c, "DELETE FROM users WHERE name = ?", name);
    }

    static void setPassword(Connection c, UserCredentials u) throws SQLException {
        int n = Sql.update(c, "UPDATE users SET pw_hash = ?, salt = ?, iterations = ? WHERE name = ?",
                u.passwordHash(), u.salt(), u.iterations(), u.name());
        if (n == 0) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such user: " + u.name());
        }
    }

    static boolean revokeGrant(Connection c, String user, String volume) throws SQLException {
        VolumeInfo v = Lookups.volumeByName(c, volume);
        if (v == null) {
            throw new MetadataException(MetaError.UNKNOWN_VOLUME, "no such volume: " + volume, volume);
        }
        requireUser(c, user);
        return Sql.update(c, "DELETE FROM grants WHERE user_name = ? AND volume_id = ?", user, v.id()) > 0;
    }

    static void addKey(Connection c, UserKey k) throws SQLException {
        requireUser(c, k.user());
        if (Sql.first(c, "SELECT 1 FROM user_keys WHERE user_name = ? AND fingerprint = ?", rs -> 1, k.user(),
                k.fingerprint()) != null) {
            throw new MetadataException(MetaError.ALREADY_EXISTS, "key " + k.fingerprint()
                    + " is already registered for " + k.user());
        }
        Sql.update(c, "INSERT INTO user_keys (user_name, fingerprint, key_type, public_key, comment, added_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)", k.user(), k.fingerprint(), k.type(), k.publicKey(), k.comment(),
                k.addedAtMillis());
    }

    static List<UserKey> keys(Connection c, String user, String fingerprint) throws SQLException {
        String extra = fingerprint == null ? "" : " AND fingerprint = ?";
        Object[] args = fingerprint == null ? new Object[] {user} : new Object[] {user, fingerprint};
        return Sql.query(c, "SELECT user_name, fingerprint, key_type, public_key, comment, added_at FROM user_keys"
                + " WHERE user_name = ?" + extra + " ORDER BY added_at, fingerprint",
                rs -> new UserKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6)), args);
    }

    static void removeKey(Connection c, String user, String fingerprint) throws SQLException {
        requireUser(c, user);
        if (Sql.update(c, "DELETE FROM user_keys WHERE user_name = ? AND fingerprint = ?", user, fingerprint) == 0) {
            throw new MetadataException(MetaError.NOT_FOUND, "user " + user + " has no key " + fingerprint);
        }
    }

    static List<TokenInfo> tokens(Connection c, String user) throws SQLException {
        requireUser(c, user);
        return Sql.query(c, "SELECT token_hash, created_at, expires_at, revoked FROM tokens WHERE user_name = ?"
                + " ORDER BY created_at DESC, token_hash", rs -> new TokenInfo(
                        rs.getString(1).substring(0, TokenInfo.ID_LENGTH), rs.getLong(2), rs.getLong(3),
                        rs.getBoolean(4)), user);
    }

    static int revokeTokens(Connection c, String user, Collection<String> ids) throws SQLException {
        requireUser(c, user);
        if (ids.isEmpty()) {
            return Sql.update(c, "UPDATE tokens SET revoked = ? WHERE user_name = ? AND revoked = ?", true, user,
                    false);
        }
        int n = 0;
        for (String id : ids) {
            if (id == null || id.length() != TokenInfo.ID_LENGTH || !id.chars().allMatch(JdbcUsers::isHex)) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "token id must be "
                        + TokenInfo.ID_LENGTH + " hex digits: " + id);
            }
            n += Sql.update(c, "UPDATE tokens SET revoked = ? WHERE user_name = ? AND revoked = ?"
                    + " AND token_hash LIKE ?", true, user, false, id.toLowerCase(java.util.Locale.ROOT) + "%");
        }
        return n;
    }

    private static boolean isHex(int ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    }
}
