package io.sklad.vfs.client;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The master's namespace as the agent sees it: one method per NamespaceService call, plus login.
 * Paths are volume-internal ({@code "/dir/file"}, {@code "/"} for the volume root). Failures are the exact
 * {@code java.nio.file} exceptions (see {@link io.sklad.vfs.SkladReasons}).
 */
public interface MetadataClient extends AutoCloseable {

    /** Logs in with a password; later calls carry the returned token. */
    LoginResult login(String user, String password) throws IOException;

    /** Uses a token from an earlier login instead of a password. */
    void useToken(String token);

    /**
     * Key login for a trusted agent (the SFTP endpoint, after it verified the client's signature): needs the
     * cluster join token; later calls carry the returned token. An unregistered key, an unknown or disabled
     * user: {@link java.nio.file.AccessDeniedException} with reason {@link io.sklad.vfs.SkladReasons#UNAUTHENTICATED}.
     *
     * @param publicKey OpenSSH form, {@code "<type> <base64> [comment]"}
     */
    LoginResult loginWithKey(String joinToken, String user, String publicKey) throws IOException;

    /**
     * The lease holder id later calls name (metadata {@code sklad-lease-holder}): commits of this holder pass
     * its own leases; null = none.
     */
    void useLeaseHolder(String holder);

    /**
     * Takes a lease on an existing entry for {@code holder}. Held by another holder in a conflicting mode:
     * {@link java.nio.file.FileSystemException} with reason {@link io.sklad.vfs.SkladReasons#CONFLICT}; no write
     * access for a writing mode: {@link java.nio.file.AccessDeniedException}.
     *
     * @param ttl null = the master's default (60 s); clamped by the master to 1 s .. 10 min
     */
    LeaseGrant acquireLease(String volume, String path, LeaseMode mode, String holder, java.time.Duration ttl)
            throws IOException;

    /**
     * Extends a lease; returns its new expiry. An expired or unknown lease: {@link java.nio.file.NoSuchFileException}.
     *
     * @param ttl null = the lease's own
     */
    long renewLease(String leaseId, java.time.Duration ttl) throws IOException;

    /** Releases a lease; false when it was already gone. */
    boolean releaseLease(String leaseId) throws IOException;

    /** A fresh block access token for the current user token (token-only login, and refreshes). */
    BlockAccess getBlockAccess() throws IOException;

    VolumeInfo createVolume(String name, int replicas, int blockSize) throws IOException;

    List<VolumeInfo> listVolumes() throws IOException;

    /** The current attributes of the entry at path (symbolic links are not followed). */
    EntryInfo stat(String volume, String path) throws IOException;

    /**
     * The current attributes straight from the master, never from a cache (an open must see the version
     * committed last: close-to-open consistency).
     */
    default EntryInfo statUncached(String volume, String path) throws IOException {
        return stat(volume, path);
    }

    /** The attributes of exactly this version of the file at path. */
    EntryInfo statVersion(String volume, String path, long version) throws IOException;

    List<EntryInfo> list(String volume, String path) throws IOException;

    EntryInfo mkdir(String volume, String path, int mode, int uid, int gid, boolean parents) throws IOException;

    /**
     * Creates a file with an empty first version, or (not exclusive) returns the existing one.
     *
     * @param leaseHolder non-null: when this call creates the file, also take a WRITE_SHARED_READ lease on it for
     *                    this holder (one round trip for a writer's create and lease)
     * @param leaseTtl    null = the master's default
     */
    CreatedFile createFile(String volume, String path, int mode, int uid, int gid, boolean exclusive,
                           String leaseHolder, java.time.Duration leaseTtl) throws IOException;

    EntryInfo symlink(String volume, String path, String target, int uid, int gid) throws IOException;

    EntryInfo rename(String volume, String fromPath, String toPath, boolean replace) throws IOException;

    /** @param expectKind null = any kind */
    void delete(String volume, String path, boolean recursive, EntryKind expectKind) throws IOException;

    /** Metadata-only copy: the blocks are shared. */
    EntryInfo copy(String volume, String fromPath, String toVolume, String toPath, boolean replace)
            throws IOException;

    EntryInfo setAttributes(String volume, String path, AttributeChange change) throws IOException;

    /**
     * A range of a version's block map.
     *
     * @param version 0 = current
     * @param count   0 = to the end
     */
    BlockMapPage getBlockMap(String volume, long inode, long version, long fromIndex, long count) throws IOException;

    /**
     * Compare-and-set commit of a new version on top of {@code baseVersion}; a stale base is a conflict.
     *
     * @param attributes the new version's attributes; null fields keep the base's, a null mtime is the commit's time
     */
    EntryInfo commitVersion(String volume, long inode, long baseVersion, long size, List<CommittedBlock> blocks,
                            AttributeChange attributes) throws IOException;

    /** Versions of the file at path, oldest first. */
    List<FileVersionInfo> listVersions(String volume, String path) throws IOException;

    /** Workers that are alive and writable. */
    List<WorkerNode> liveNodes() throws IOException;

    /** The blocks among ids the master knows, with their live replicas. */
    List<BlockRef> findBlocks(Collection<BlockId> ids) throws IOException;

    void reportBadReplica(BlockId id, String nodeId, String reason) throws IOException;

    ClusterStatus clusterStatus() throws IOException;

    /** User-defined properties of the entry at path (links not followed), by name. */
    java.util.Map<String, byte[]> getProperties(String volume, String path) throws IOException;

    /**
     * Removes, then sets, properties of the entry at path, all or nothing. Beyond the master's limits (a value
     * over 64 KiB, more than 256 properties or 1 MiB per entry): {@link java.nio.file.FileSystemException} with
     * reason {@link io.sklad.vfs.SkladReasons#INVALID_ARGUMENT} and the limit; a read-only grant:
     * {@link java.nio.file.AccessDeniedException}.
     */
    void setProperties(String volume, String path, java.util.Map<String, byte[]> set, Collection<String> remove)
            throws IOException;

    /** Whether the user may write the volume (false for a read-only grant); an unknown volume throws. */
    boolean volumeWritable(String volume) throws IOException;

    @Override
    void close();
}
