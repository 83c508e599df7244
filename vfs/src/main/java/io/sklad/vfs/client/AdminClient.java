package io.sklad.vfs.client;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The master's user administration (AdminService), transport-free. Every call needs an admin token except
 * {@link #setPassword} on one's own account. Failures are {@code java.nio.file} exceptions: an unknown user
 * is a {@link java.nio.file.NoSuchFileException}, a non-admin caller an {@link java.nio.file.AccessDeniedException},
 * a bad name or key a {@link java.nio.file.FileSystemException} with reason
 * {@link io.sklad.vfs.SkladReasons#INVALID_ARGUMENT}, an existing name or key a
 * {@link java.nio.file.FileAlreadyExistsException}.
 */
public interface AdminClient extends AutoCloseable {

    /** Adds a user; names are 1..64 of {@code [A-Za-z0-9._-]}, not starting with '-'. */
    UserInfo addUser(String name, String password, boolean admin) throws IOException;

    /** Every user, by name. */
    List<UserInfo> listUsers() throws IOException;

    /** Disabling makes the user's existing tokens fail at once. */
    void setUserDisabled(String name, boolean disabled) throws IOException;

    /** Removes the user with its grants and keys and revokes its tokens. */
    void removeUser(String name) throws IOException;

    /** Admins set anyone's password ({@code oldPassword} ignored); a user its own, given the old one. */
    void setPassword(String name, String oldPassword, String newPassword) throws IOException;

    /** Sets or replaces the user's role on a volume. */
    void grant(String user, String volume, GrantRole role) throws IOException;

    /** Drops the user's grant on a volume; false when there was none. */
    boolean revoke(String user, String volume) throws IOException;

    /**
     * Registers an OpenSSH public key line ({@code "<type> <base64> [comment]"}).
     *
     * @param comment null or blank = the comment of the line
     */
    UserKey addKey(String user, String publicKey, String comment) throws IOException;

    List<UserKey> listKeys(String user) throws IOException;

    void removeKey(String user, String fingerprint) throws IOException;

    /** The user's tokens, newest first. */
    List<TokenInfo> listTokens(String user) throws IOException;

    /** Revokes the tokens with these ids, or all of the user's when {@code ids} is empty; returns how many. */
    int revokeTokens(String user, Collection<String> ids) throws IOException;

    @Override
    void close();

    // ------------------------------------------------------------------ cluster (ClusterAdminService)

    /** Every registered worker with the blocks the master records on it. */
    List<NodeReport> listNodes() throws IOException;

    /**
     * Takes a worker out of placement and has repair copy its blocks elsewhere ({@code cancel}: puts it
     * back); returns the worker and the blocks still to move. An unknown node is a NoSuchFileException.
     */
    NodeReport drainNode(String nodeId, boolean cancel) throws IOException;

    /**
     * Forgets a worker; refused (a FileSystemException with reason CONFLICT) while any block it holds would
     * drop below its replication factor. A worker still running registers again: stop it first.
     */
    void removeNode(String nodeId) throws IOException;

    /** How long a volume keeps history (deleted files, replaced versions); zero = forever. */
    VolumeInfo setVolumeRetention(String volume, java.time.Duration retention) throws IOException;
}
