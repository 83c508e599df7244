package io.sklad.metadata.store;

import io.sklad.metadata.namespace.PathNames;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link MetadataStore} over JDBC (H2 embedded, PostgreSQL later). One transaction per call;
 * mutations are serialised by the tx counter (see {@link Mutation}). The operation families live
 * in {@link JdbcNamespace}, {@link JdbcContents} and {@link JdbcNodes}; this class checks access
 * and frames the transactions.
 */
public final class JdbcMetadataStore implements MetadataStore, HealingStore {
    static final int DEFAULT_REPLICAS = 3;
    static final int DEFAULT_BLOCK_SIZE = 64 * 1024;
    static final int MIN_BLOCK_SIZE = 16 * 1024;
    static final int MAX_BLOCK_SIZE = 4 * 1024 * 1024;

    private final Database db;
    private final StorePolicy policy;
    private final Clock clock;
    private final JdbcNodes nodes;
    private final JdbcContents contents;
    private final JdbcHealing healing;

    /** Takes ownership of {@code db}: closing the store closes it. */
    public JdbcMetadataStore(Database db, StorePolicy policy, Clock clock) {
        this.db = db;
        this.policy = policy;
        this.clock = clock;
        this.nodes = new JdbcNodes(policy);
        this.contents = new JdbcContents(nodes);
        this.healing = new JdbcHealing(nodes);
    }

    private long now() {
        return clock.millis();
    }

    /** A mutation: one transaction with the next tx allocated first. */
    private <T> T mutate(MutationWork<T> work) {
        return db.inTransaction(c -> work.run(Mutation.begin(c, now())));
    }

    /** Upkeep serialised with mutations, allocating no tx (see {@link Mutation#serialised}). */
    private <T> T serialised(MutationWork<T> work) {
        return db.inTransaction(c -> work.run(Mutation.serialised(c, now())));
    }

    @FunctionalInterface
    private interface MutationWork<T> {
        T run(Mutation m) throws SQLException;
    }

    // ------------------------------------------------------------------ volumes

    @Override
    public VolumeInfo createVolume(Principal caller, String name, int replicas, int blockSize) {
        if (!caller.admin()) {
            throw new MetadataException(MetaError.ACCESS_DENIED, "only admins create volumes", name);
        }
        PathNames.checkName(name, name);
        int r = replicas == 0 ? DEFAULT_REPLICAS : replicas;
        int bs = blockSize == 0 ? DEFAULT_BLOCK_SIZE : blockSize;
        if (bs < MIN_BLOCK_SIZE || bs > MAX_BLOCK_SIZE || Integer.bitCount(bs) != 1) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "block size " + bs
                    + " must be a power of two from 16 KiB to 4 MiB", name);
        }
        return mutate(m -> {
            long alive = nodes.aliveWritableCount(m.c, m.millis);
            if (r < 1 || r > alive) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "replication factor " + r
                        + " needs " + r + " alive nodes but " + alive + " are alive", name);
            }
            if (Lookups.volumeByName(m.c, name) != null) {
                throw new MetadataException(MetaError.ALREADY_EXISTS, "volume exists: " + name, name);
            }
            long id = m.nextVolume();
            long root = JdbcNamespace.createRoot(m, id);
            int quorum = Math.min(r, policy.writeQuorum());
            Sql.update(m.c, "INSERT INTO volumes (id, name, replicas, block_size, write_quorum, root_inode, created_at,"
                    + " created_tx) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, name, r, bs, quorum, root, m.millis, m.tx);
            return new VolumeInfo(id, name, r, bs, quorum, m.millis, root);
        });
    }

    @Override
    public List<VolumeInfo> listVolumes(Principal caller) {
        return db.inTransaction(c -> Lookups.volumes(c, caller));
    }

    // ------------------------------------------------------------------ entries

    @Override
    public EntryInfo stat(Principal caller, String volume, String path, AsOf asOf, long version) {
        return db.inTransaction(c -> {
            VolumeInfo v = Lookups.volume(c, caller, volume, false);
            long t = Lookups.resolveTx(c, asOf);
            Lookups.Target target = Lookups.existing(c, v, path, t);
            long inode = target.existing().inode();
            return version > 0
                    ? Lookups.entryOfVersion(c, inode, target.name(), version, t, path)
                    : Lookups.entry(c, inode, target.name(), t, path);
        });
    }

    @Override
    public long resolveTx(AsOf asOf) {
        return db.inTransaction(c -> asOf.isNow() ? Lookups.lastTx(c) : Lookups.resolveTx(c, asOf));
    }

    @Override
    public List<EntryInfo> list(Principal caller, String volume, String path, long tx, String afterName, int limit) {
        return db.inTransaction(c -> {
            VolumeInfo v = Lookups.volume(c, caller, volume, false);
            Lookups.Target target = Lookups.existing(c, v, path, tx);
            if (target.existing().kind() != EntryKind.DIRECTORY) {
                throw new MetadataException(MetaError.NOT_DIRECTORY, "not a directory", path);
            }
            // one query for names and attributes: no per-entry round trips
            return Sql.query(c, "SELECT d.name, " + Lookups.ENTRY_COLUMNS + " FROM dentries d"
                            + " JOIN inodes i ON i.id = d.inode"
                            + " JOIN file_versions v ON v.inode = d.inode AND" + Lookups.VALID_V
                            + " WHERE d.parent_inode = ? AND" + Lookups.VALID_D + " AND d.name > ?"
                            + " ORDER BY d.name FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY",
                    rs -> Lookups.entryRow(rs, 2, rs.getString(1)),
                    tx, tx, target.existing().inode(), tx, tx, afterName == null ? "" : afterName);
        });
    }

    @Override
    public EntryInfo mkdir(Principal caller, String volume, String path, NewAttributes attrs, boolean parents) {
        return mutate(m -> JdbcNamespace.mkdir(m, Lookups.volume(m.c, caller, volume, true), path, attrs, parents));
    }

    @Override
    public Created createFile(Principal caller, String volume, String path, NewAttributes attrs, boolean exclusive) {
        return mutate(m -> JdbcNamespace.createFile(m, Lookups.volume(m.c, caller, volume, true), path, attrs,
                exclusive));
    }

    @Override
    public EntryInfo symlink(Principal caller, String volume, String path, String target, NewAttributes attrs) {
        return mutate(m -> JdbcNamespace.symlink(m, Lookups.volume(m.c, caller, volume, true), path, target, attrs));
    }

    @Override
    public EntryInfo rename(Principal caller, String volume, String from, String to, boolean replace,
                            boolean noReplaceDir) {
        return mutate(m -> JdbcNamespace.rename(m, Lookups.volume(m.c, caller, volume, true), from, to, replace,
                noReplaceDir));
    }

    @Override
    public void delete(Principal caller, String volume, String path, boolean recursive, EntryKind expectKind) {
        mutate(m -> {
            JdbcNamespace.delete(m, Lookups.volume(m.c, caller, volume, true), path, recursive, expectKind);
            return null;
        });
    }

    @Override
    public EntryInfo copy(Principal caller, String volume, String from, String toVolume, String to, boolean replace) {
        return mutate(m -> {
            VolumeInfo src = Lookups.volume(m.c, caller, volume, false);
            String target = toVolume == null || toVolume.isEmpty() ? volume : toVolume;
            VolumeInfo dst = Lookups.volume(m.c, caller, target, true);
            return JdbcNamespace.copy(m, src, from, dst, to, replace);
        });
    }

    @Override
    public EntryInfo setAttributes(Principal caller, String volume, String path, AttributeUpdate update) {
        return mutate(m -> JdbcNamespace.setAttributes(m, Lookups.volume(m.c, caller, volume, true), path, update));
    }

    // ------------------------------------------------------------------ properties

    @Override
    public Map<String, byte[]> getProperties(Principal caller, String volume, String path) {
        return db.inTransaction(c -> {
            VolumeInfo v = Lookups.volume(c, caller, volume, false);
            long inode = Lookups.existing(c, v, path, Lookups.lastTx(c)).existing().inode();
            return JdbcProperties.read(c, inode);
        });
    }

    @Override
    public void setProperties(Principal caller, String volume, String path, Map<String, byte[]> set,
                              java.util.Collection<String> remove) {
        // serialised with mutations (the entry cannot go away meanwhile) but no tx: properties are not versioned
        serialised(m -> {
            VolumeInfo v = Lookups.volume(m.c, caller, volume, true);
            long inode = Lookups.existing(m.c, v, path, m.tx).existing().inode();
            JdbcProperties.update(m.c, inode, set, remove, path);
            return null;
        });
    }

    // ------------------------------------------------------------------ contents

    @Override
    public void registerBlocks(Principal caller, String volume, List<CommittedBlock> blocks) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.inTransaction(c -> {
                    contents.registerBlocks(c, now(), Lookups.volume(c, caller, volume, true), blocks);
                    return null;
                });
                return;
            } catch (MetadataException e) {
                // another transaction (a block report, another agent's upload of the same block) inserted a row
                // between our check and our insert: the next attempt sees it
                if (attempt >= 3 || !(e.getCause() instanceof SQLException s) || !"23505".equals(s.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    @Override
    public EntryInfo commitVersion(Principal caller, CommitRequest request) {
        return mutate(m -> contents.commit(m, Lookups.volume(m.c, caller, request.volume(), true), request));
    }

    @Override
    public BlockMapPage blockMap(Principal caller, String volume, long inode, long version, long fromIndex,
                                 long endIndex, int limit) {
        return db.inTransaction(c -> contents.blockMap(c, Lookups.volume(c, caller, volume, false), inode, version,
                Math.max(0, fromIndex), endIndex, limit, now()));
    }

    @Override
    public List<VersionInfo> listVersions(Principal caller, String volume, String path) {
        return db.inTransaction(c -> {
            VolumeInfo v = Lookups.volume(c, caller, volume, false);
            return contents.versions(c, Lookups.existing(c, v, path, Lookups.NOW).existing().inode());
        });
    }

    @Override
    public List<BlockLocation> findBlocks(List<BlockId> ids) {
        return db.inTransaction(c -> {
            List<BlockLocation> found = contents.find(c, ids, now());
            // a block an agent may now reuse without uploading gets a fresh grace period before any GC
            List<String> hexes = found.stream().map(l -> l.id().hex()).toList();
            for (int i = 0; i < hexes.size(); i += JdbcNodes.CHUNK) {
                List<String> part = hexes.subList(i, Math.min(hexes.size(), i + JdbcNodes.CHUNK));
                Sql.update(c, "UPDATE blocks SET unreferenced_since = NULL WHERE unreferenced_since IS NOT NULL"
                        + " AND block_id IN (" + Database.placeholders(part.size()) + ")", part.toArray());
            }
            return found;
        });
    }

    @Override
    public void dropReplica(BlockId id, String nodeId) {
        db.inTransaction(c -> Sql.update(c, "DELETE FROM replicas WHERE block_id = ? AND node_id = ?",
                id.hex(), nodeId));
    }

    // ------------------------------------------------------------------ nodes

    @Override
    public void registerNode(String nodeId, String address, Map<String, String> labels, NodeStats stats) {
        if (nodeId == null || nodeId.isEmpty() || nodeId.length() > 64) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "node id must be 1..64 characters");
        }
        if (address == null || address.isEmpty() || address.length() > 255) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "node address must be 1..255 characters");
        }
        if (JdbcNodes.encodeLabels(labels).length() > 4000) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "node labels too long");
        }
        db.inTransaction(c -> {
            nodes.register(c, nodeId, address, labels, stats, now());
            return null;
        });
    }

    @Override
    public HeartbeatResult heartbeat(String nodeId, NodeStats stats) {
        return db.inTransaction(c -> new HeartbeatResult(nodes.heartbeat(c, nodeId, stats, now())));
    }

    @Override
    public long beginBlockReport(String nodeId) {
        return db.inTransaction(c -> nodes.beginReport(c, nodeId));
    }

    @Override
    public ReportCounts addReportedBlocks(String nodeId, long generation, List<BlockId> ids) {
        return db.inTransaction(c -> nodes.addReported(c, nodeId, generation, ids, now()));
    }

    @Override
    public void finishBlockReport(String nodeId, long generation, long startedMillis) {
        db.inTransaction(c -> {
            nodes.finishReport(c, nodeId, generation, startedMillis);
            return null;
        });
    }

    @Override
    public List<NodeStatus> liveNodes() {
        return nodes().stream()
                .filter(n -> n.state() == NodeState.ALIVE && !n.stats().readOnly())
                .toList();
    }

    @Override
    public List<NodeStatus> nodes() {
        return db.inTransaction(c -> nodes.all(c, now()));
    }

    @Override
    public void setDraining(String nodeId, boolean draining) {
        int n = db.inTransaction(c -> Sql.update(c, "UPDATE nodes SET draining = ? WHERE node_id = ?",
                draining, nodeId));
        if (n == 0) {
            throw new MetadataException(MetaError.NOT_FOUND, "unknown node " + nodeId);
        }
    }

    @Override
    public ClusterSummary clusterSummary(Principal caller) {
        return db.inTransaction(c -> {
            long now = now();
            long deadBefore = now - policy.deadAfter().toMillis();
            long under = Sql.count(c, "SELECT COUNT(*) FROM blocks b"
                    + " WHERE EXISTS (SELECT 1 FROM block_map m WHERE m.block_id = b.block_id)"
                    + " AND (SELECT COUNT(*) FROM replicas r JOIN nodes n ON n.node_id = r.node_id"
                    + " WHERE r.block_id = b.block_id AND n.last_heartbeat > ?) < b.replicas_wanted", deadBefore);
            long blockCount = Sql.count(c, "SELECT COUNT(*) FROM blocks");
            long stored = Sql.count(c, "SELECT COALESCE(SUM(stored_length), 0) FROM blocks");
            long logical = Sql.count(c, "SELECT COALESCE(SUM(v.size), 0) FROM file_versions v"
                    + " JOIN inodes i ON i.id = v.inode WHERE v.valid_to_tx IS NULL AND i.kind = ?",
                    EntryKind.FILE.code());
            return new ClusterSummary(nodes.all(c, now), under, blockCount, logical, stored,
                    Lookups.volumes(c, caller));
        });
    }

    // ------------------------------------------------------------------ healing

    @Override
    public ReplicationScan scanReplication(int limit) {
        return db.inTransaction(c -> healing.scan(c, now(), limit));
    }

    @Override
    public java.util.Set<BlockId> addReplicas(String nodeId, java.util.Collection<BlockId> ids) {
        return db.inTransaction(c -> healing.addReplicas(c, nodeId, ids, now()));
    }

    @Override
    public void dropReplicas(String nodeId, java.util.Collection<BlockId> ids) {
        db.inTransaction(c -> {
            healing.dropReplicas(c, nodeId, ids);
            return null;
        });
    }

    @Override
    public long blocksOnlyOn(String nodeId) {
        return db.inTransaction(c -> healing.blocksOnlyOn(c, nodeId, now()));
    }

    @Override
    public long blocksOn(String nodeId) {
        return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM replicas WHERE node_id = ?", nodeId));
    }

    @Override
    public void removeNode(String nodeId) {
        serialised(m -> {
            healing.removeNode(m, nodeId);
            return null;
        });
    }

    @Override
    public VolumeInfo setVolumeRetention(String volume, long retentionMillis) {
        if (retentionMillis < 0) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "retention must not be negative", volume);
        }
        return db.inTransaction(c -> {
            VolumeInfo v = Lookups.volumeByName(c, volume);
            if (v == null) {
                throw new MetadataException(MetaError.UNKNOWN_VOLUME, "no such volume: " + volume, volume);
            }
            Sql.update(c, "UPDATE volumes SET retention_millis = ? WHERE id = ?",
                    retentionMillis == 0 ? null : retentionMillis, v.id());
            return Lookups.volumeByName(c, volume);
        });
    }

    @Override
    public long purgeExpiredHistory() {
        return serialised(healing::purgeExpiredHistory);
    }

    @Override
    public long markUnreferenced() {
        return db.inTransaction(c -> healing.markUnreferenced(c, now()));
    }

    @Override
    public Map<String, List<BlockId>> collectGarbage(long unreferencedBefore, int limit) {
        return serialised(m -> healing.collect(m, unreferencedBefore, limit));
    }

    @Override
    public void forgetDeletionsBefore(long millis) {
        db.inTransaction(c -> Sql.update(c, "DELETE FROM gc_deletions WHERE ordered_at < ?", millis));
    }

    // ------------------------------------------------------------------ users, tokens, grants

    @Override
    public Optional<UserCredentials> findUser(String name) {
        return Optional.ofNullable(db.inTransaction(c -> Sql.first(c, "SELECT name, pw_hash, salt, iterations, admin,"
                        + " disabled FROM users WHERE name = ?",
                rs -> new UserCredentials(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getBoolean(5), rs.getBoolean(6)), name)));
    }

    @Override
    public void createUser(UserCredentials u) {
        PathNames.checkName(u.name(), u.name());
        db.inTransaction(c -> {
            if (Sql.first(c, "SELECT 1 FROM users WHERE name = ?", rs -> 1, u.name()) != null) {
                throw new MetadataException(MetaError.ALREADY_EXISTS, "user exists: " + u.name());
            }
            return Sql.update(c, "INSERT INTO users (name, pw_hash, salt, iterations, admin, disabled, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)", u.name(), u.passwordHash(), u.salt(), u.iterations(),
                    u.admin(), u.disabled(), now());
        });
    }

    @Override
    public void setUserDisabled(String name, boolean disabled) {
        int n = db.inTransaction(c -> Sql.update(c, "UPDATE users SET disabled = ? WHERE name = ?", disabled, name));
        if (n == 0) {
            throw new MetadataException(MetaError.NOT_FOUND, "no such user: " + name);
        }
    }

    @Override
    public void grant(String user, String volume, Role role) {
        db.inTransaction(c -> {
            VolumeInfo v = Lookups.volumeByName(c, volume);
            if (v == null) {
                throw new MetadataException(MetaError.UNKNOWN_VOLUME, "no such volume: " + volume, volume);
            }
            if (Sql.first(c, "SELECT 1 FROM users WHERE name = ?", rs -> 1, user) == null) {
                throw new MetadataException(MetaError.NOT_FOUND, "no such user: " + user);
            }
            Sql.update(c, "DELETE FROM grants WHERE user_name = ? AND volume_id = ?", user, v.id());
            return Sql.update(c, "INSERT INTO grants (user_name, volume_id, role) VALUES (?, ?, ?)",
                    user, v.id(), role.name());
        });
    }

    @Override
    public void saveToken(String tokenHash, String user, long expiresAtMillis) {
        db.inTransaction(c -> Sql.update(c, "INSERT INTO tokens (token_hash, user_name, expires_at, revoked, created_at)"
                + " VALUES (?, ?, ?, ?, ?)", tokenHash, user, expiresAtMillis, false, now()));
    }

    @Override
    public Optional<Principal> authenticate(String tokenHash, long nowMillis) {
        return Optional.ofNullable(db.inTransaction(c -> Sql.first(c, "SELECT u.name, u.admin FROM tokens t"
                        + " JOIN users u ON u.name = t.user_name WHERE t.token_hash = ? AND t.revoked = ?"
                        + " AND t.expires_at > ? AND u.disabled = ?",
                rs -> new Principal(rs.getString(1), rs.getBoolean(2)), tokenHash, false, nowMillis, false)));
    }

    @Override
    public void revokeToken(String tokenHash) {
        db.inTransaction(c -> Sql.update(c, "UPDATE tokens SET revoked = ? WHERE token_hash = ?", true, tokenHash));
    }

    @Override
    public List<UserInfo> listUsers() {
        return db.inTransaction(c -> JdbcUsers.list(c, null));
    }

    @Override
    public Optional<UserInfo> userInfo(String name) {
        return db.inTransaction(c -> JdbcUsers.list(c, name)).stream().findFirst();
    }

    @Override
    public void removeUser(String name) {
        db.inTransaction(c -> {
            JdbcUsers.remove(c, name);
            return null;
        });
    }

    @Override
    public void setPassword(UserCredentials credentials) {
        db.inTransaction(c -> {
            JdbcUsers.setPassword(c, credentials);
            return null;
        });
    }

    @Override
    public boolean revokeGrant(String user, String volume) {
        return db.inTransaction(c -> JdbcUsers.revokeGrant(c, user, volume));
    }

    @Override
    public void addKey(UserKey key) {
        db.inTransaction(c -> {
            JdbcUsers.addKey(c, key);
            return null;
        });
    }

    @Override
    public List<UserKey> listKeys(String user) {
        return db.inTransaction(c -> {
            JdbcUsers.requireUser(c, user);
            return JdbcUsers.keys(c, user, null);
        });
    }

    @Override
    public void removeKey(String user, String fingerprint) {
        db.inTransaction(c -> {
            JdbcUsers.removeKey(c, user, fingerprint);
            return null;
        });
    }

    @Override
    public Optional<UserKey> findKey(String user, String fingerprint) {
        return db.inTransaction(c -> JdbcUsers.keys(c, user, fingerprint)).stream().findFirst();
    }

    @Override
    public List<TokenInfo> listTokens(String user) {
        return db.inTransaction(c -> JdbcUsers.tokens(c, user));
    }

    @Override
    public int revokeTokens(String user, java.util.Collection<String> ids) {
        return db.inTransaction(c -> JdbcUsers.revokeTokens(c, user, ids));
    }

    @Override
    public VolumeInfo volumeAccess(Principal caller, String volume, boolean write) {
        return db.inTransaction(c -> Lookups.volume(c, caller, volume, write));
    }

    @Override
    public StoreCounts counts() {
        return db.inTransaction(c -> new StoreCounts(
                Sql.count(c, "SELECT COUNT(*) FROM dentries"),
                Sql.count(c, "SELECT COUNT(*) FROM file_versions"),
                Sql.count(c, "SELECT COUNT(*) FROM block_map"),
                Sql.count(c, "SELECT COUNT(*) FROM blocks"),
                Sql.count(c, "SELECT COUNT(*) FROM replicas"),
                Lookups.lastTx(c)));
    }

    @Override
    public void close() {
        db.close();
    }
}
