package io.sklad.metadata.auth;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.store.Role;
import io.sklad.metadata.store.TokenInfo;
import io.sklad.metadata.store.UserCredentials;
import io.sklad.metadata.store.UserInfo;
import io.sklad.metadata.store.UserKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

/**
 * The rules of user administration, transport-free: who may do what (the admin role, except a user changing
 * its own password), name and key validation, password hashing. Storage is the {@link MetadataStore}'s.
 */
public final class UserAdministration {
    private static final Logger LOG = LoggerFactory.getLogger(UserAdministration.class);
    /** PBKDF2 input longer than this only costs time; nobody types it. */
    static final int MAX_PASSWORD = 1024;

    private final MetadataStore store;
    private final PasswordHasher hasher;
    private final Clock clock;

    public UserAdministration(MetadataStore store, PasswordHasher hasher, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
    }

    private static void requireAdmin(Principal caller, String what) {
        if (!caller.admin()) {
            throw new MetadataException(MetaError.ACCESS_DENIED, "only admins may " + what);
        }
    }

    private static String checkPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "the password must not be empty");
        }
        if (password.length() > MAX_PASSWORD) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "password longer than " + MAX_PASSWORD);
        }
        return password;
    }

    /** Refuses an admin locking itself out (its own token would stop working, and maybe the last admin). */
    private static void notSelf(Principal caller, String name, String what) {
        if (caller.user().equals(name)) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "you cannot " + what + " yourself");
        }
    }

    public UserInfo addUser(Principal caller, String name, String password, boolean admin) {
        requireAdmin(caller, "add users");
        UserNames.check(name);
        store.createUser(hasher.hash(name, checkPassword(password), admin));
        LOG.info("{} added user {}{}", caller.user(), name, admin ? " (admin)" : "");
        return info(name);
    }

    public List<UserInfo> listUsers(Principal caller) {
        requireAdmin(caller, "list users");
        return store.listUsers();
    }

    public void setUserDisabled(Principal caller, String name, boolean disabled) {
        requireAdmin(caller, "disable or enable users");
        if (disabled) {
            notSelf(caller, name, "disable");
        }
        store.setUserDisabled(known(name), disabled);
        // a disabled user's tokens are refused already; revoked, they stay dead when the user is enabled again
        int revoked = disabled ? store.revokeTokens(name, List.of()) : 0;
        LOG.info("{} {} user {}{}", caller.user(), disabled ? "disabled" : "enabled", name,
                disabled ? " and revoked its " + revoked + " tokens" : "");
    }

    public void removeUser(Principal caller, String name) {
        requireAdmin(caller, "remove users");
        notSelf(caller, name, "remove");
        store.removeUser(known(name));
        LOG.info("{} removed user {}", caller.user(), name);
    }

    /** As {@link #setPassword(Principal, String, String, String, String)} without a caller's token to keep. */
    public void setPassword(Principal caller, String name, String oldPassword, String newPassword) {
        setPassword(caller, null, name, oldPassword, newPassword);
    }

    /**
     * Admins set anyone's password; a user sets its own given the old one. Every token of the user is revoked
     * (a password that leaked takes its sessions with it, and agents that cached a login must log in again),
     * except the token of this very call when users change their own password.
     *
     * @param callerTokenId id of the token the caller came with, or null
     */
    public void setPassword(Principal caller, String callerTokenId, String name, String oldPassword,
                            String newPassword) {
        if (!caller.admin()) {
            if (!caller.user().equals(name)) {
                throw new MetadataException(MetaError.ACCESS_DENIED, "only admins may set other users' passwords");
            }
            UserCredentials current = store.findUser(name)
                    .orElseThrow(() -> new MetadataException(MetaError.NOT_FOUND, "no such user: " + name));
            if (!hasher.matches(current, oldPassword == null ? "" : oldPassword)) {
                throw new MetadataException(MetaError.ACCESS_DENIED, "the old password does not match");
            }
        }
        known(name);
        store.setPassword(hasher.hash(name, checkPassword(newPassword), false));
        String keep = caller.user().equals(name) ? callerTokenId : null;
        List<String> others = store.listTokens(name).stream().filter(t -> !t.revoked())
                .map(TokenInfo::id).filter(id -> !id.equals(keep)).toList();
        int revoked = others.isEmpty() ? 0 : store.revokeTokens(name, others);
        LOG.info("{} set the password of user {} and revoked {} of its tokens", caller.user(), name, revoked);
    }

    public void grant(Principal caller, String user, String volume, Role role) {
        requireAdmin(caller, "grant volumes");
        if (role == null) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "a role is needed: OWNER, READ_WRITE or READ_ONLY");
        }
        store.grant(known(user), volume, role);
        LOG.info("{} granted {} on volume {} to {}", caller.user(), role, volume, user);
    }

    public boolean revoke(Principal caller, String user, String volume) {
        requireAdmin(caller, "revoke grants");
        boolean revoked = store.revokeGrant(known(user), volume);
        LOG.info("{} revoked the grant of {} on volume {} ({})", caller.user(), user, volume,
                revoked ? "revoked" : "there was none");
        return revoked;
    }

    public UserKey addKey(Principal caller, String user, String publicKeyLine, String comment) {
        requireAdmin(caller, "register keys");
        known(user);
        OpenSshKeys.Parsed k = OpenSshKeys.parse(publicKeyLine);
        String c = comment == null || comment.isBlank() ? k.comment() : comment.strip();
        if (c.length() > OpenSshKeys.MAX_COMMENT) {
            c = c.substring(0, OpenSshKeys.MAX_COMMENT);
        }
        UserKey key = new UserKey(user, k.fingerprint(), k.type(), k.publicKey(), c, clock.millis());
        store.addKey(key);
        LOG.info("{} registered key {} for user {}", caller.user(), k.fingerprint(), user);
        return key;
    }

    public List<UserKey> listKeys(Principal caller, String user) {
        requireAdmin(caller, "list keys");
        return store.listKeys(known(user));
    }

    public void removeKey(Principal caller, String user, String fingerprint) {
        requireAdmin(caller, "remove keys");
        store.removeKey(known(user), fingerprint);
        LOG.info("{} removed key {} of user {}", caller.user(), fingerprint, user);
    }

    public List<TokenInfo> listTokens(Principal caller, String user) {
        requireAdmin(caller, "list tokens");
        return store.listTokens(known(user));
    }

    public int revokeTokens(Principal caller, String user, Collection<String> ids) {
        requireAdmin(caller, "revoke tokens");
        int n = store.revokeTokens(known(user), ids);
        LOG.info("{} revoked {} tokens of user {}", caller.user(), n, user);
        return n;
    }

    /** A name that may exist: validated, so that junk never reaches a query or a log line as is. */
    private static String known(String name) {
        if (!UserNames.isValid(name)) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such user: " + (name == null ? "" : name.length()
                    > 64 ? name.substring(0, 64) + "..." : name).replaceAll("\\p{Cntrl}", "?"));
        }
        return name;
    }

    private UserInfo info(String name) {
        return store.userInfo(name).orElseThrow(() -> new MetadataException(MetaError.NOT_FOUND,
                "no such user: " + name));
    }
}
