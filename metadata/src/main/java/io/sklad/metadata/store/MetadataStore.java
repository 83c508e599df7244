package io.sklad.metadata.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The master's state, transport-free. Every mutation is one transaction and allocates the next tx;
 * failures throw {@link MetadataException} and change nothing. Namespace calls take the calling
 * {@link Principal} and check its grant on the volume (admins may do everything).
 */
public interface MetadataStore extends AutoCloseable {

    // ------------------------------------------------------------------ volumes

    /** Creates a volume (admin only); replicas 0 = 3, blockSize 0 = 64 KiB. */
    VolumeInfo createVolume(Principal caller, String name, int replicas, int blockSize);

    /** Volumes the caller may see (all for admins), by name. */
    List<VolumeInfo> listVolumes(Principal caller);

    // ------------------------------------------------------------------ entries

    /** Entry at path as of a moment; with {@code version} > 0, the attributes of that file version. */
    EntryInfo stat(Principal caller, String volume, String path, AsOf asOf, long version);

    /** Resolves an {@link AsOf} to a concrete tx (the last committed tx for "now"). */
    long resolveTx(AsOf asOf);

    /** Up to {@code limit} entries of a directory as of {@code tx}, sorted by name, after {@code afterName} (null = from start). */
    List<EntryInfo> list(Principal caller, String volume, String path, long tx, String afterName, int limit);

    EntryInfo mkdir(Principal caller, String volume, String path, NewAttributes attrs, boolean parents);

    /** Returns the entry and whether it was created (false: an existing file returned as is). */
    Created createFile(Principal caller, String volume, String path, NewAttributes attrs, boolean exclusive);

    EntryInfo symlink(Principal caller, String volume, String path, String target, NewAttributes attrs);

    EntryInfo rename(Principal caller, String volume, String from, String to, boolean replace, boolean noReplaceDir);

    void delete(Principal caller, String volume, String path, boolean recursive, EntryKind expectKind);

    EntryInfo copy(Principal caller, String volume, String from, String toVolume, String to, boolean replace);

    EntryInfo setAttributes(Principal caller, String volume, String path, AttributeUpdate update);

    // ------------------------------------------------------------------ properties

    /** User-defined properties of the entry at path (links not followed), by name; needs read access. */
    Map<String, byte[]> getProperties(Principal caller, String volume, String path);

    /**
     * Removes, then sets, properties of the entry at path in one transaction (all or nothing); needs write
     * access. Bounded per value and per entry: INVALID_ARGUMENT names the limit.
     */
    void setProperties(Principal caller, String volume, String path, Map<String, byte[]> set,
                       java.util.Collection<String> remove);

    // ------------------------------------------------------------------ contents

    /**
     * Records blocks of a coming commit and their acknowledged copies, in a short transaction of its own and
     * outside the lock that serialises mutations, so that the commit itself writes little more than the block
     * map. Idempotent; optional (a commit records whatever is missing). Needs write access to the volume.
     */
    void registerBlocks(Principal caller, String volume, List<CommittedBlock> blocks);

    /** Commits a new version by compare-and-set on {@code baseVersion}; returns the new current entry. */
    EntryInfo commitVersion(Principal caller, CommitRequest request);

    /**
     * A page of the block map of {@code version} (0 = current) from {@code fromIndex}, at most
     * {@code limit} refs, not past {@code endIndex} (exclusive; Long.MAX_VALUE = to the end).
     */
    BlockMapPage blockMap(Principal caller, String volume, long inode, long version, long fromIndex,
                          long endIndex, int limit);

    /** Content versions of the file at path, oldest first. */
    List<VersionInfo> listVersions(Principal caller, String volume, String path);

    /** Known blocks among {@code ids} with their live replicas. */
    List<BlockLocation> findBlocks(List<BlockId> ids);

    /** Forgets that {@code nodeId} holds {@code id} (the copy is bad or gone). */
    void dropReplica(BlockId id, String nodeId);

    // ------------------------------------------------------------------ nodes

    /** Inserts or updates a worker; a registration counts as a heartbeat. */
    void registerNode(String nodeId, String address, Map<String, String> labels, NodeStats stats);

    HeartbeatResult heartbeat(String nodeId, NodeStats stats);

    /** Starts a full block report; returns its generation. Unknown node: NOT_FOUND. */
    long beginBlockReport(String nodeId);

    /** Records a frame of reported ids: known ids become replicas of the node. */
    ReportCounts addReportedBlocks(String nodeId, long generation, List<BlockId> ids);

    /** Drops the node's replica rows that the report did not confirm (and that predate it). */
    void finishBlockReport(String nodeId, long generation, long startedMillis);

    /** ALIVE, writable and not draining workers. */
    List<NodeStatus> liveNodes();

    List<NodeStatus> nodes();

    void setDraining(String nodeId, boolean draining);

    ClusterSummary clusterSummary(Principal caller);

    // ------------------------------------------------------------------ users, tokens, grants

    Optional<UserCredentials> findUser(String name);

    /** Creates a user; ALREADY_EXISTS if the name is taken. */
    void createUser(UserCredentials user);

    void setUserDisabled(String name, boolean disabled);

    void grant(String user, String volume, Role role);

    void saveToken(String tokenHash, String user, long expiresAtMillis);

    /** The principal of a valid (known, unrevoked, unexpired, enabled user) token. */
    Optional<Principal> authenticate(String tokenHash, long nowMillis);

    void revokeToken(String tokenHash);

    /** Every user with its grants and key count, by name. */
    List<UserInfo> listUsers();

    /** One user as {@link #listUsers()} shows it. */
    Optional<UserInfo> userInfo(String name);

    /** Removes a user with its grants and keys and revokes its tokens; NOT_FOUND if unknown. */
    void removeUser(String name);

    /** Replaces the password hash of {@code credentials.name()} (its flags are ignored); NOT_FOUND if unknown. */
    void setPassword(UserCredentials credentials);

    /** Drops a user's grant on a volume; false when there was none. */
    boolean revokeGrant(String user, String volume);

    /** Registers an SSH key; NOT_FOUND for an unknown user, ALREADY_EXISTS for a key it already has. */
    void addKey(UserKey key);

    /** The user's keys, oldest first; NOT_FOUND if the user is unknown. */
    List<UserKey> listKeys(String user);

    /** NOT_FOUND when the user or the key is unknown. */
    void removeKey(String user, String fingerprint);

    /** The key with this fingerprint registered for the user, if any. */
    Optional<UserKey> findKey(String user, String fingerprint);

    /** The user's tokens, newest first; NOT_FOUND if the user is unknown. */
    List<TokenInfo> listTokens(String user);

    /** Revokes the user's tokens with these ids (all of them when empty); returns how many were newly revoked. */
    int revokeTokens(String user, java.util.Collection<String> ids);

    /** The volume if the caller may read it (and write it, when asked); UNKNOWN_VOLUME / ACCESS_DENIED otherwise. */
    VolumeInfo volumeAccess(Principal caller, String volume, boolean write);

    StoreCounts counts();

    @Override
    void close();

    /** An entry and whether the call created it. */
    record Created(EntryInfo entry, boolean created) {
    }
}
