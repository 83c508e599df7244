package io.sklad.vfs.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's attribute cache: a directory listing remembers its children's entries for {@code ttl}, and a
 * {@code stat} of one of them in that time is answered from memory. A listing followed by a lookup of every
 * entry is what {@code ls -l}, {@code find}, {@code rsync}, {@code diff -r} and FUSE's readdir + lookups do:
 * one call to the master instead of one per file. Repeated stats of one file are the kernel's to cache
 * ({@code attr_timeout}); a stat that missed is not remembered, so outside a listing nothing gets staler than
 * it was without this class.
 *
 * <p>What is never cached: listings themselves (a new file of another agent shows at the next listing), a
 * missing entry (so a create right after a failed lookup is never refused), and {@link #statUncached}, which
 * opens use (close-to-open: an open sees the version committed last, anywhere). Any change this agent makes
 * through the client forgets everything it cached, so the agent always sees its own changes at once; another
 * agent's changes show within {@code ttl}. Changes of one entry (create, mkdir, symlink, set attributes) forget
 * only that entry and its parent, and remember the master's answer for the entry: FUSE asks for the attributes of
 * every file right after creating or changing it, and that answer is the freshest there is.
 */
public final class CachingMetadataClient implements MetadataClient {

    private record Key(String volume, String path) {
    }

    private final MetadataClient delegate;
    private final boolean enabled;
    private final Cache<Key, EntryInfo> entries;
    /** Bumped by every change: an answer fetched before a change must not be stored after it. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /**
     * @param ttl how long an entry is answered from memory; zero turns the cache off
     * @param maxEntries bound on the entries kept (the least recently used go first)
     */
    public CachingMetadataClient(MetadataClient delegate, Duration ttl, long maxEntries) {
        this.delegate = delegate;
        this.enabled = !ttl.isZero() && !ttl.isNegative() && maxEntries > 0;
        this.entries = Caffeine.newBuilder().expireAfterWrite(enabled ? ttl : Duration.ofNanos(1))
                .maximumSize(enabled ? maxEntries : 0)
                .executor(Runnable::run).build();
    }

    /** How many {@code stat} calls were answered from memory (for tests and diagnostics). */
    public long hits() {
        return hits.get();
    }

    @Override
    public EntryInfo stat(String volume, String path) throws IOException {
        EntryInfo cached = entries.getIfPresent(new Key(volume, path));
        if (cached != null) {
            hits.incrementAndGet();
            return cached;
        }
        return statUncached(volume, path);
    }

    @Override
    public EntryInfo statUncached(String volume, String path) throws IOException {
        EntryInfo fresh = delegate.stat(volume, path);
        if (enabled) { // what a listing said is older than this answer
            entries.invalidate(new Key(volume, path));
        }
        return fresh;
    }

    @Override
    public List<EntryInfo> list(String volume, String path) throws IOException {
        long before = generation.get();
        List<EntryInfo> children = delegate.list(volume, path);
        String prefix = path.endsWith("/") ? path : path + "/";
        for (EntryInfo child : children) {
            remember(before, volume, prefix + child.name(), child);
        }
        return children;
    }

    private void remember(long before, String volume, String path, EntryInfo entry) {
        if (!enabled) {
            return;
        }
        entries.put(new Key(volume, path), entry);
        if (generation.get() != before) { // a change raced with the call: the answer may predate it
            entries.invalidate(new Key(volume, path));
        }
    }

    /** Forgets everything: called after (and whether or not) a change went through. */
    private void changed() {
        generation.incrementAndGet();
        entries.invalidateAll();
    }

    /**
     * Runs a change of the one entry at path: afterwards (whether or not it went through) forgets that entry and
     * its parent (whose times changed), then remembers the entry the master answered.
     */
    private <T> T changedEntry(String volume, String path, Change<T> change, Function<T, EntryInfo> entryOf)
            throws IOException {
        T result;
        long after;
        try {
            result = change.run();
        } finally {
            after = generation.incrementAndGet();
            entries.invalidate(new Key(volume, path));
            entries.invalidate(new Key(volume, parentOf(path)));
        }
        remember(after, volume, path, entryOf.apply(result));
        return result;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    @FunctionalInterface
    private interface Change<T> {
        T run() throws IOException;
    }

    // ------------------------------------------------------------------ changes: forget what was cached

    @Override
    public VolumeInfo createVolume(String name, int replicas, int blockSize) throws IOException {
        try {
            return delegate.createVolume(name, replicas, blockSize);
        } finally {
            changed();
        }
    }

    @Override
    public EntryInfo mkdir(String volume, String path, int mode, int uid, int gid, boolean parents) throws IOException {
        if (parents) { // may make several directories
            try {
                return delegate.mkdir(volume, path, mode, uid, gid, true);
            } finally {
                changed();
            }
        }
        return changedEntry(volume, path, () -> delegate.mkdir(volume, path, mode, uid, gid, false), e -> e);
    }

    @Override
    public CreatedFile createFile(String volume, String path, int mode, int uid, int gid, boolean exclusive,
                                  String leaseHolder, Duration leaseTtl) throws IOException {
        return changedEntry(volume, path,
                () -> delegate.createFile(volume, path, mode, uid, gid, exclusive, leaseHolder, leaseTtl),
                CreatedFile::entry);
    }

    @Override
    public EntryInfo symlink(String volume, String path, String target, int uid, int gid) throws IOException {
        return changedEntry(volume, path, () -> delegate.symlink(volume, path, target, uid, gid), e -> e);
    }

    @Override
    public EntryInfo rename(String volume, String fromPath, String toPath, boolean replace) throws IOException {
        try {
            return delegate.rename(volume, fromPath, toPath, replace);
        } finally {
            changed();
        }
    }

    @Override
    public void delete(String volume, String path, boolean recursive, EntryKind expectKind) throws IOException {
        try {
            delegate.delete(volume, path, recursive, expectKind);
        } finally {
            changed();
        }
    }

    @Override
    public EntryInfo copy(String volume, String fromPath, String toVolume, String toPath, boolean replace)
            throws IOException {
        try {
            return delegate.copy(volume, fromPath, toVolume, toPath, replace);
        } finally {
            changed();
        }
    }

    @Override
    public EntryInfo setAttributes(String volume, String path, AttributeChange change) throws IOException {
        return changedEntry(volume, path, () -> delegate.setAttributes(volume, path, change), e -> e);
    }

    @Override
    public EntryInfo commitVersion(String volume, long inode, long baseVersion, long size, List<CommittedBlock> blocks,
                                   AttributeChange attributes) throws IOException {
        try {
            return delegate.commitVersion(volume, inode, baseVersion, size, blocks, attributes);
        } finally {
            changed();
        }
    }

    @Override
    public void setProperties(String volume, String path, java.util.Map<String, byte[]> set, Collection<String> remove)
            throws IOException {
        try {
            delegate.setProperties(volume, path, set, remove);
        } finally {
            changed();
        }
    }

    // ------------------------------------------------------------------ everything else, as it is

    @Override
    public java.util.Map<String, byte[]> getProperties(String volume, String path) throws IOException {
        return delegate.getProperties(volume, path);
    }

    @Override
    public boolean volumeWritable(String volume) throws IOException {
        return delegate.volumeWritable(volume);
    }

    @Override
    public LoginResult login(String user, String password) throws IOException {
        return delegate.login(user, password);
    }

    @Override
    public void useToken(String token) {
        delegate.useToken(token);
    }

    @Override
    public LoginResult loginWithKey(String joinToken, String user, String publicKey) throws IOException {
        return delegate.loginWithKey(joinToken, user, publicKey);
    }

    @Override
    public void useLeaseHolder(String holder) {
        delegate.useLeaseHolder(holder);
    }

    @Override
    public LeaseGrant acquireLease(String volume, String path, LeaseMode mode, String holder, Duration ttl)
            throws IOException {
        return delegate.acquireLease(volume, path, mode, holder, ttl);
    }

    @Override
    public long renewLease(String leaseId, Duration ttl) throws IOException {
        return delegate.renewLease(leaseId, ttl);
    }

    @Override
    public boolean releaseLease(String leaseId) throws IOException {
        return delegate.releaseLease(leaseId);
    }

    @Override
    public BlockAccess getBlockAccess() throws IOException {
        return delegate.getBlockAccess();
    }

    @Override
    public List<VolumeInfo> listVolumes() throws IOException {
        return delegate.listVolumes();
    }

    @Override
    public EntryInfo statVersion(String volume, String path, long version) throws IOException {
        return delegate.statVersion(volume, path, version);
    }

    @Override
    public BlockMapPage getBlockMap(String volume, long inode, long version, long fromIndex, long count)
            throws IOException {
        return delegate.getBlockMap(volume, inode, version, fromIndex, count);
    }

    @Override
    public List<FileVersionInfo> listVersions(String volume, String path) throws IOException {
        return delegate.listVersions(volume, path);
    }

    @Override
    public List<WorkerNode> liveNodes() throws IOException {
        return delegate.liveNodes();
    }

    @Override
    public List<BlockRef> findBlocks(Collection<BlockId> ids) throws IOException {
        return delegate.findBlocks(ids);
    }

    @Override
    public void reportBadReplica(BlockId id, String nodeId, String reason) throws IOException {
        delegate.reportBadReplica(id, nodeId, reason);
    }

    @Override
    public ClusterStatus clusterStatus() throws IOException {
        return delegate.clusterStatus();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
