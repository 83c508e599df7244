package io.sklad.metadata.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** File contents: committing versions, reading block maps, finding blocks. */
final class JdbcContents {
    /** Rows per JDBC batch: large enough to amortise round trips, small enough to bound driver memory. */
    private static final int BATCH = 1000;

    private final JdbcNodes nodes;

    JdbcContents(JdbcNodes nodes) {
        this.nodes = nodes;
    }

    EntryInfo commit(Mutation m, VolumeInfo v, CommitRequest r) throws SQLException {
        EntryInfo cur = currentFile(m.c, v, r.inode());
        if (cur.version() != r.baseVersion()) {
            throw new MetadataException(MetaError.CONFLICT, "file changed: base version " + r.baseVersion()
                    + " but current is " + cur.version());
        }
        if (r.size() < 0) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "negative size");
        }
        long blockCount = (r.size() + v.blockSize() - 1) / v.blockSize();
        Map<String, Set<String>> nodesByBlock = checkBlocks(m.c, v, r, blockCount);
        if (!r.blocksRecorded()) {
            storeBlocks(m.c, m.millis, v, r.blocks(), nodesByBlock);
        }
        JdbcNamespace.replaceVersionRow(m, cur, m.tx, r.size(), r.attributes(), m.millis);
        replaceMapRows(m, cur.inode(), r.blocks());
        Sql.update(m.c, "UPDATE block_map SET valid_to_tx = ? WHERE inode = ? AND valid_to_tx IS NULL"
                + " AND block_index >= ?", m.tx, cur.inode(), blockCount);
        return Lookups.entry(m.c, cur.inode(), cur.name(), Lookups.NOW, null);
    }

    private EntryInfo currentFile(Connection c, VolumeInfo v, long inode) throws SQLException {
        Long volumeId = Sql.first(c, "SELECT volume_id FROM inodes WHERE id = ?", rs -> rs.getLong(1), inode);
        if (volumeId == null || volumeId != v.id()) {
            throw new MetadataException(MetaError.NOT_FOUND, "no inode " + inode + " in volume " + v.name());
        }
        String name = Sql.first(c, "SELECT name FROM dentries WHERE inode = ? AND valid_to_tx IS NULL",
                rs -> rs.getString(1), inode);
        EntryInfo cur = Sql.first(c, "SELECT " + Lookups.ENTRY_COLUMNS + " FROM inodes i JOIN file_versions v"
                        + " ON v.inode = i.id WHERE i.id = ? AND v.valid_to_tx IS NULL",
                rs -> Lookups.entryRow(rs, name == null ? "" : name), inode);
        if (cur == null || name == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "file " + inode + " was deleted");
        }
        if (cur.kind() == EntryKind.DIRECTORY) {
            throw new MetadataException(MetaError.IS_DIRECTORY, "inode " + inode + " is a directory");
        }
        if (cur.kind() != EntryKind.FILE) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "inode " + inode + " is not a regular file");
        }
        return cur;
    }

    /**
     * Records blocks of a coming commit and their acknowledged copies on registered workers, in the caller's
     * (short) transaction and without the namespace lock: this is most of a big commit's row writes, done part
     * by part while the agent still streams. Idempotent. Nothing references the blocks until the commit does,
     * so a commit that never comes leaves them to garbage collection like any unreferenced upload.
     */
    void registerBlocks(Connection c, long now, VolumeInfo v, List<CommittedBlock> blocks) throws SQLException {
        Set<String> allNodes = new HashSet<>();
        for (CommittedBlock b : blocks) {
            if (!b.hole() && (b.storedLength() <= 0 || b.storedLength() > 2L * v.blockSize() + 4096)) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block " + b.index()
                        + " has an impossible stored length " + b.storedLength());
            }
            allNodes.addAll(b.nodeIds());
        }
        Set<String> registered = nodes.registered(c, allNodes);
        Set<String> deleting = deletionOrders(c, blocks);
        Map<String, Set<String>> nodesByBlock = new LinkedHashMap<>();
        for (CommittedBlock b : blocks) {
            if (b.hole()) {
                continue;
            }
            Set<String> acked = nodesByBlock.computeIfAbsent(b.id().hex(), k -> new LinkedHashSet<>());
            for (String node : b.nodeIds()) {
                if (registered.contains(node) && !deleting.contains(b.id().hex() + "/" + node)) {
                    acked.add(node);
                }
            }
        }
        storeBlocks(c, now, v, blocks, nodesByBlock);
    }

    /** Validates indexes and replica acknowledgements; returns registered acknowledging nodes per block id. */
    private Map<String, Set<String>> checkBlocks(Connection c, VolumeInfo v, CommitRequest r, long blockCount)
            throws SQLException {
        int need = Math.min(v.replicas(), v.writeQuorum());
        Set<Long> seen = new HashSet<>();
        Set<String> allNodes = new HashSet<>();
        for (CommittedBlock b : r.blocks()) {
            if (b.index() < 0 || b.index() >= blockCount) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block index " + b.index()
                        + " outside a file of " + blockCount + " blocks");
            }
            if (!seen.add(b.index())) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block index " + b.index() + " given twice");
            }
            if (!b.hole() && (b.storedLength() <= 0 || b.storedLength() > 2L * v.blockSize() + 4096)) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block " + b.index()
                        + " has an impossible stored length " + b.storedLength());
            }
            allNodes.addAll(b.nodeIds());
        }
        Set<String> registered = nodes.registered(c, allNodes);
        Set<String> deleting = deletionOrders(c, r.blocks());
        Map<String, Set<String>> nodesByBlock = new LinkedHashMap<>();
        for (CommittedBlock b : r.blocks()) {
            if (b.hole()) {
                continue;
            }
            Set<String> acked = new LinkedHashSet<>(b.nodeIds());
            acked.retainAll(registered);
            // a copy garbage collection ordered deleted may be gone whatever the upload said
            acked.removeIf(node -> deleting.contains(b.id().hex() + "/" + node));
            if (acked.size() < need) {
                throw new MetadataException(MetaError.UNAVAILABLE, "block " + b.index() + " has " + acked.size()
                        + " acknowledged replicas on registered nodes, needs " + need);
            }
            nodesByBlock.computeIfAbsent(b.id().hex(), k -> new LinkedHashSet<>()).addAll(acked);
        }
        return nodesByBlock;
    }

    /** "block/node" of every recent garbage-collection deletion order for the committed blocks. */
    private static Set<String> deletionOrders(Connection c, List<CommittedBlock> blocks) throws SQLException {
        List<String> ids = blocks.stream().filter(b -> !b.hole()).map(b -> b.id().hex()).distinct().toList();
        Set<String> out = new HashSet<>();
        for (int i = 0; i < ids.size(); i += JdbcNodes.CHUNK) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + JdbcNodes.CHUNK));
            out.addAll(Sql.query(c, "SELECT block_id, node_id FROM gc_deletions WHERE block_id IN ("
                            + Database.placeholders(part.size()) + ")",
                    rs -> rs.getString(1) + "/" + rs.getString(2), part.toArray()));
        }
        return out;
    }

    /**
     * Records the blocks and their acknowledged copies: unknown blocks get a row, known ones are referenced again
     * (garbage-collection mark cleared) and want at least the volume's replicas; copies workers reported before
     * the master knew the block (orphans) become replicas. One read of the blocks' rows per chunk decides what to
     * write, so re-recording known blocks (a commit after registerBlocks) writes almost nothing.
     */
    private void storeBlocks(Connection c, long now, VolumeInfo v, List<CommittedBlock> blocks,
                             Map<String, Set<String>> nodesByBlock) throws SQLException {
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (CommittedBlock b : blocks) {
            if (!b.hole()) {
                lengths.putIfAbsent(b.id().hex(), b.storedLength());
            }
        }
        List<String> ids = new ArrayList<>(lengths.keySet());
        Map<String, Set<String>> ofKnown = new HashMap<>();
        try (PreparedStatement insBlock = c.prepareStatement("INSERT INTO blocks (block_id, stored_length,"
                + " replicas_wanted, created_at) VALUES (?, ?, ?, ?)");
             PreparedStatement insReplica = c.prepareStatement(
                     "INSERT INTO replicas (block_id, node_id, report_gen, added_at) VALUES (?, ?, 0, ?)");
             PreparedStatement touch = c.prepareStatement("UPDATE blocks SET unreferenced_since = NULL,"
                     + " replicas_wanted = GREATEST(replicas_wanted, ?) WHERE block_id = ?")) {
            int pending = 0;
            for (int i = 0; i < ids.size(); i += JdbcNodes.CHUNK) {
                List<String> part = ids.subList(i, Math.min(ids.size(), i + JdbcNodes.CHUNK));
                String in = Database.placeholders(part.size());
                Map<String, Boolean> known = new HashMap<>(); // id -> needs touching
                for (Object[] r : Sql.query(c, "SELECT block_id, unreferenced_since, replicas_wanted FROM blocks"
                                + " WHERE block_id IN (" + in + ")",
                        rs -> new Object[] {rs.getString(1), rs.getObject(2), rs.getInt(3)}, part.toArray())) {
                    known.put((String) r[0], r[1] != null || (Integer) r[2] < v.replicas());
                }
                List<String[]> orphans = Sql.query(c, "SELECT block_id, node_id FROM orphan_replicas WHERE block_id IN ("
                        + in + ")", rs -> new String[] {rs.getString(1), rs.getString(2)}, part.toArray());
                if (!orphans.isEmpty()) {
                    for (String[] o : orphans) {
                        nodesByBlock.computeIfAbsent(o[0], k -> new LinkedHashSet<>()).add(o[1]);
                    }
                    Sql.update(c, "DELETE FROM orphan_replicas WHERE block_id IN (" + in + ")", part.toArray());
                }
                for (String id : part) {
                    Boolean needsTouch = known.get(id);
                    Set<String> copies = nodesByBlock.getOrDefault(id, Set.of());
                    if (needsTouch == null) {
                        // new to the master: no replica row can exist yet (reports of unknown ids go to orphans)
                        Sql.bind(insBlock, id, lengths.get(id), v.replicas(), now);
                        insBlock.addBatch();
                        for (String node : copies) {
                            Sql.bind(insReplica, id, node, now);
                            insReplica.addBatch();
                        }
                        pending += 1 + copies.size();
                    } else {
                        if (needsTouch) {
                            Sql.bind(touch, v.replicas(), id);
                            touch.addBatch();
                            pending++;
                        }
                        if (!copies.isEmpty()) {
                            ofKnown.put(id, copies);
                        }
                    }
                }
                if (pending >= BATCH) {
                    insBlock.executeBatch();
                    insReplica.executeBatch();
                    touch.executeBatch();
                    pending = 0;
                }
            }
            insBlock.executeBatch();
            insReplica.executeBatch();
            touch.executeBatch();
        }
        nodes.addReplicas(c, ofKnown, now);
    }

    /**
     * For each changed index: close the current row, insert the new one (none for a hole). An index whose current
     * row already holds the same block (or a hole that has no row) is left alone, so rows are added only for
     * blocks that really changed. Statements go in JDBC batches; every lookup is by (inode, block index).
     */
    private void replaceMapRows(Mutation m, long inode, List<CommittedBlock> blocks) throws SQLException {
        List<CommittedBlock> sorted = new ArrayList<>(blocks);
        sorted.sort(java.util.Comparator.comparingLong(CommittedBlock::index));
        try (PreparedStatement current = m.c.prepareStatement("SELECT block_index, block_id FROM block_map"
                + " WHERE inode = ? AND valid_to_tx IS NULL AND block_index >= ? AND block_index <= ?");
             PreparedStatement close = m.c.prepareStatement("UPDATE block_map SET valid_to_tx = ?"
                     + " WHERE inode = ? AND block_index = ? AND valid_to_tx IS NULL");
             PreparedStatement ins = m.c.prepareStatement("INSERT INTO block_map (inode, block_index, block_id,"
                     + " stored_length, valid_from_tx, valid_to_tx) VALUES (?, ?, ?, ?, ?, NULL)")) {
            int pending = 0;
            int from = 0;
            while (from < sorted.size()) {
                // a run of nearby indexes: one range read of the current rows covers it (bounded rows per read,
                // and no IN list, which H2 does not use as an index condition here)
                long first = sorted.get(from).index();
                int to = from + 1;
                while (to < sorted.size() && to - from < BATCH && sorted.get(to).index() - first < 2L * BATCH) {
                    to++;
                }
                long last = sorted.get(to - 1).index();
                Map<Long, String> was = new HashMap<>();
                Sql.bind(current, inode, first, last);
                try (java.sql.ResultSet rs = current.executeQuery()) {
                    while (rs.next()) {
                        was.put(rs.getLong(1), rs.getString(2));
                    }
                }
                for (CommittedBlock b : sorted.subList(from, to)) {
                    String old = was.get(b.index());
                    String now = b.hole() ? null : b.id().hex();
                    if (java.util.Objects.equals(old, now)) {
                        continue; // unchanged (or a hole that stays a hole): no row
                    }
                    if (old != null) {
                        Sql.bind(close, m.tx, inode, b.index());
                        close.addBatch();
                        pending++;
                    }
                    if (now != null) {
                        Sql.bind(ins, inode, b.index(), now, b.storedLength(), m.tx);
                        ins.addBatch();
                        pending++;
                    }
                }
                if (pending >= BATCH) {
                    close.executeBatch();
                    ins.executeBatch();
                    pending = 0;
                }
                from = to;
            }
            close.executeBatch();
            ins.executeBatch();
        }
    }

    // ------------------------------------------------------------------ reads

    BlockMapPage blockMap(Connection c, VolumeInfo v, long inode, long version, long from, long end, int limit,
                          long now) throws SQLException {
        Long volumeId = Sql.first(c, "SELECT volume_id FROM inodes WHERE id = ?", rs -> rs.getLong(1), inode);
        if (volumeId == null || volumeId != v.id()) {
            throw new MetadataException(MetaError.NOT_FOUND, "no inode " + inode + " in volume " + v.name());
        }
        String versionCond = version > 0 ? "version_tx = ?" : "valid_to_tx IS NULL";
        Object versionArg = version > 0 ? version : null;
        long[] head = Sql.first(c, "SELECT version_tx, size FROM file_versions WHERE inode = ? AND " + versionCond
                        + " ORDER BY valid_from_tx DESC", rs -> new long[] {rs.getLong(1), rs.getLong(2)},
                versionArg == null ? new Object[] {inode} : new Object[] {inode, versionArg});
        if (head == null) {
            throw new MetadataException(MetaError.NOT_FOUND, version > 0
                    ? "no version " + version + " of inode " + inode : "inode " + inode + " was deleted");
        }
        long t = head[0];
        long blockCount = (head[1] + v.blockSize() - 1) / v.blockSize();
        long stop = Math.min(end, blockCount);
        List<Object[]> rows = Sql.query(c, "SELECT block_index, block_id, stored_length FROM block_map"
                        + " WHERE inode = ? AND block_index >= ? AND block_index < ?"
                        + " AND valid_from_tx <= ? AND (valid_to_tx IS NULL OR valid_to_tx > ?)"
                        + " ORDER BY block_index FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY",
                rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getLong(3)}, inode, from, stop, t, t);
        List<String> ids = rows.stream().map(r -> (String) r[1]).distinct().toList();
        Map<String, List<NodeStatus>> replicas = nodes.replicasOf(c, ids, now);
        List<BlockLocation> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new BlockLocation((Long) r[0], new BlockId((String) r[1]), (Long) r[2],
                    replicas.getOrDefault((String) r[1], List.of())));
        }
        return new BlockMapPage(t, head[1], v.blockSize(), out);
    }

    List<VersionInfo> versions(Connection c, long inode) throws SQLException {
        List<VersionInfo> all = Sql.query(c, "SELECT v.version_tx, MAX(t.at_millis), MAX(v.size),"
                        + " MIN(CASE WHEN v.valid_to_tx IS NULL THEN 0 ELSE 1 END)"
                        + " FROM file_versions v JOIN tx t ON t.id = v.version_tx WHERE v.inode = ?"
                        + " GROUP BY v.version_tx ORDER BY v.version_tx",
                rs -> new VersionInfo(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4) == 0), inode);
        // A file is created empty and then written (open(O_CREAT), write, close): once a later version
        // exists, that empty first version is an artefact of the protocol, not something a user saved.
        if (all.size() > 1 && all.get(0).size() == 0 && !all.get(0).current()) {
            return all.subList(1, all.size());
        }
        return all;
    }

    List<BlockLocation> find(Connection c, List<BlockId> ids, long now) throws SQLException {
        List<String> hexes = ids.stream().map(BlockId::hex).distinct().toList();
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (int i = 0; i < hexes.size(); i += JdbcNodes.CHUNK) {
            List<String> part = hexes.subList(i, Math.min(hexes.size(), i + JdbcNodes.CHUNK));
            for (Object[] r : Sql.query(c, "SELECT block_id, stored_length FROM blocks WHERE block_id IN ("
                            + Database.placeholders(part.size()) + ")",
                    rs -> new Object[] {rs.getString(1), rs.getLong(2)}, part.toArray())) {
                lengths.put((String) r[0], (Long) r[1]);
            }
        }
        Map<String, List<NodeStatus>> replicas = nodes.replicasOf(c, new ArrayList<>(lengths.keySet()), now);
        List<BlockLocation> out = new ArrayList<>();
        for (String hex : hexes) {
            Long len = lengths.get(hex);
            if (len != null) {
                out.add(new BlockLocation(-1, new BlockId(hex), len, replicas.getOrDefault(hex, List.of())));
            }
        }
        return out;
    }
}
