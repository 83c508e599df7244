package io.sklad.metadata.store;

import io.sklad.metadata.store.HealingStore.BlockCopies;
import io.sklad.metadata.store.HealingStore.ReplicationScan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Repair and garbage-collection queries: replication scans, node removal, retention, GC marks and collection. */
final class JdbcHealing {
    private final JdbcNodes nodes;

    JdbcHealing(JdbcNodes nodes) {
        this.nodes = nodes;
    }

    /** Nodes whose copies count towards a block's replication factor: ALIVE or SUSPECT. */
    Set<String> counting(Connection c, long now) throws SQLException {
        return nodes.all(c, now).stream()
                .filter(n -> n.state() == NodeState.ALIVE || n.state() == NodeState.SUSPECT)
                .map(NodeStatus::nodeId).collect(Collectors.toSet());
    }

    /** " AND r.node_id IN (?, ...)" with its arguments, or a condition that is never true. */
    private static String inNodes(String column, Set<String> ids, List<Object> args) {
        if (ids.isEmpty()) {
            return " AND 1 = 0";
        }
        args.addAll(ids);
        return " AND " + column + " IN (" + Database.placeholders(ids.size()) + ")";
    }

    ReplicationScan scan(Connection c, long now, int limit) throws SQLException {
        List<Object> args = new ArrayList<>();
        String in = inNodes("r.node_id", counting(c, now), args);
        List<Object[]> rows = Sql.query(c, "SELECT b.block_id, b.stored_length, b.replicas_wanted, COUNT(r.node_id)"
                        + " FROM blocks b LEFT JOIN replicas r ON r.block_id = b.block_id" + in
                        + " WHERE b.unreferenced_since IS NULL"
                        + " GROUP BY b.block_id, b.stored_length, b.replicas_wanted"
                        + " HAVING COUNT(r.node_id) <> b.replicas_wanted ORDER BY 4, 1",
                rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)}, args.toArray());
        List<Object[]> under = new ArrayList<>();
        List<Object[]> over = new ArrayList<>();
        long atRisk = 0;
        long bytes = 0;
        for (Object[] r : rows) {
            int wanted = (Integer) r[2];
            int have = (Integer) r[3];
            if (have < wanted) {
                atRisk++;
                bytes += (Long) r[1] * (wanted - have);
                if (under.size() < limit) {
                    under.add(r);
                }
            } else if (over.size() < limit) {
                over.add(r);
            }
        }
        return new ReplicationScan(withHolders(c, under), withHolders(c, over), atRisk, bytes);
    }

    private List<BlockCopies> withHolders(Connection c, List<Object[]> rows) throws SQLException {
        List<String> ids = rows.stream().map(r -> (String) r[0]).toList();
        Map<String, List<String>> holders = new HashMap<>();
        for (int i = 0; i < ids.size(); i += JdbcNodes.CHUNK) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + JdbcNodes.CHUNK));
            for (String[] r : Sql.query(c, "SELECT block_id, node_id FROM replicas WHERE block_id IN ("
                            + Database.placeholders(part.size()) + ") ORDER BY block_id, node_id",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}, part.toArray())) {
                holders.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
            }
        }
        List<BlockCopies> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new BlockCopies(new BlockId((String) r[0]), (Long) r[1], (Integer) r[2], (Integer) r[3],
                    holders.getOrDefault((String) r[0], List.of())));
        }
        return out;
    }

    Set<BlockId> addReplicas(Connection c, String nodeId, Collection<BlockId> ids, long now) throws SQLException {
        Set<BlockId> out = new HashSet<>();
        if (ids.isEmpty() || Sql.first(c, "SELECT 1 FROM nodes WHERE node_id = ?", rs -> 1, nodeId) == null) {
            return out;
        }
        List<String> hexes = ids.stream().map(BlockId::hex).distinct().toList();
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO replicas (block_id, node_id, report_gen, added_at) VALUES (?, ?, 0, ?)")) {
            for (int i = 0; i < hexes.size(); i += JdbcNodes.CHUNK) {
                List<String> part = hexes.subList(i, Math.min(hexes.size(), i + JdbcNodes.CHUNK));
                String in = Database.placeholders(part.size());
                List<String> known = Sql.query(c, "SELECT block_id FROM blocks WHERE block_id IN (" + in + ")",
                        rs -> rs.getString(1), part.toArray());
                Object[] args = new Object[part.size() + 1];
                args[0] = nodeId;
                System.arraycopy(part.toArray(), 0, args, 1, part.size());
                Set<String> have = new HashSet<>(Sql.query(c, "SELECT block_id FROM replicas WHERE node_id = ?"
                        + " AND block_id IN (" + in + ")", rs -> rs.getString(1), args));
                for (String hex : known) {
                    if (!have.contains(hex)) {
                        Sql.bind(ins, hex, nodeId, now);
                        ins.addBatch();
                    }
                    out.add(new BlockId(hex));
                }
            }
            ins.executeBatch();
        }
        return out;
    }

    void dropReplicas(Connection c, String nodeId, Collection<BlockId> ids) throws SQLException {
        List<String> hexes = ids.stream().map(BlockId::hex).distinct().toList();
        for (int i = 0; i < hexes.size(); i += JdbcNodes.CHUNK) {
            List<String> part = hexes.subList(i, Math.min(hexes.size(), i + JdbcNodes.CHUNK));
            Object[] args = new Object[part.size() + 1];
            args[0] = nodeId;
            System.arraycopy(part.toArray(), 0, args, 1, part.size());
            Sql.update(c, "DELETE FROM replicas WHERE node_id = ? AND block_id IN ("
                    + Database.placeholders(part.size()) + ")", args);
        }
    }

    long blocksOnlyOn(Connection c, String nodeId, long now) throws SQLException {
        Set<String> others = counting(c, now);
        others.remove(nodeId);
        List<Object> args = new ArrayList<>();
        args.add(nodeId);
        String in = inNodes("r.node_id", others, args);
        return Sql.count(c, "SELECT COUNT(*) FROM replicas x JOIN blocks b ON b.block_id = x.block_id"
                + " WHERE x.node_id = ? AND b.unreferenced_since IS NULL AND (SELECT COUNT(*) FROM replicas r"
                + " WHERE r.block_id = x.block_id" + in + ") < b.replicas_wanted", args.toArray());
    }

    void removeNode(Mutation m, String nodeId) throws SQLException {
        if (Sql.first(m.c, "SELECT 1 FROM nodes WHERE node_id = ?", rs -> 1, nodeId) == null) {
            throw new MetadataException(MetaError.NOT_FOUND, "unknown node " + nodeId);
        }
        long only = blocksOnlyOn(m.c, nodeId, m.millis);
        if (only > 0) {
            throw new MetadataException(MetaError.CONFLICT, "node " + nodeId + " holds " + only
                    + " blocks that would drop below their replication factor: drain it and wait for repair");
        }
        Sql.update(m.c, "DELETE FROM replicas WHERE node_id = ?", nodeId);
        Sql.update(m.c, "DELETE FROM orphan_replicas WHERE node_id = ?", nodeId);
        Sql.update(m.c, "DELETE FROM nodes WHERE node_id = ?", nodeId);
    }

    // ------------------------------------------------------------------ retention and GC

    long purgeExpiredHistory(Mutation m) throws SQLException {
        long purged = 0;
        for (Object[] v : Sql.query(m.c, "SELECT id, retention_millis FROM volumes WHERE retention_millis > 0",
                rs -> new Object[] {rs.getLong(1), rs.getLong(2)})) {
            long cutoff = Sql.count(m.c, "SELECT COALESCE(MAX(id), 0) FROM tx WHERE at_millis <= ?",
                    m.millis - (Long) v[1]);
            if (cutoff == 0) {
                continue;
            }
            String ofVolume = " AND inode IN (SELECT id FROM inodes WHERE volume_id = ?)";
            purged += Sql.update(m.c, "DELETE FROM block_map WHERE valid_to_tx IS NOT NULL AND valid_to_tx <= ?"
                    + ofVolume, cutoff, v[0]);
            purged += Sql.update(m.c, "DELETE FROM file_versions WHERE valid_to_tx IS NOT NULL AND valid_to_tx <= ?"
                    + ofVolume, cutoff, v[0]);
            purged += Sql.update(m.c, "DELETE FROM dentries WHERE valid_to_tx IS NOT NULL AND valid_to_tx <= ?"
                    + " AND volume_id = ?", cutoff, v[0]);
            purged += JdbcProperties.purgeUnreachable(m.c, (Long) v[0]);
        }
        return purged;
    }

    long markUnreferenced(Connection c, long now) throws SQLException {
        Sql.update(c, "UPDATE blocks SET unreferenced_since = ? WHERE unreferenced_since IS NULL"
                + " AND NOT EXISTS (SELECT 1 FROM block_map m WHERE m.block_id = blocks.block_id)", now);
        Sql.update(c, "UPDATE blocks SET unreferenced_since = NULL WHERE unreferenced_since IS NOT NULL"
                + " AND EXISTS (SELECT 1 FROM block_map m WHERE m.block_id = blocks.block_id)");
        return Sql.count(c, "SELECT COUNT(*) FROM blocks WHERE unreferenced_since IS NOT NULL")
                + Sql.count(c, "SELECT COUNT(*) FROM orphan_replicas");
    }

    Map<String, List<BlockId>> collect(Mutation m, long before, int limit) throws SQLException {
        Map<String, List<BlockId>> out = new LinkedHashMap<>();
        // still unreferenced now, inside the mutation: a commit racing this pass is either before (and
        // its block_map row keeps the block) or after (and sees the deletion orders, see JdbcContents)
        List<String> dead = Sql.query(m.c, "SELECT block_id FROM blocks WHERE unreferenced_since IS NOT NULL"
                        + " AND unreferenced_since <= ? AND NOT EXISTS (SELECT 1 FROM block_map x"
                        + " WHERE x.block_id = blocks.block_id) ORDER BY block_id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> rs.getString(1), before);
        for (int i = 0; i < dead.size(); i += JdbcNodes.CHUNK) {
            List<String> part = dead.subList(i, Math.min(dead.size(), i + JdbcNodes.CHUNK));
            String in = Database.placeholders(part.size());
            for (String[] r : Sql.query(m.c, "SELECT block_id, node_id FROM replicas WHERE block_id IN (" + in + ")",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}, part.toArray())) {
                order(m, out, r[0], r[1]);
            }
            Sql.update(m.c, "DELETE FROM replicas WHERE block_id IN (" + in + ")", part.toArray());
            Sql.update(m.c, "DELETE FROM blocks WHERE block_id IN (" + in + ")", part.toArray());
        }
        List<String[]> orphans = Sql.query(m.c, "SELECT o.block_id, o.node_id FROM orphan_replicas o"
                        + " WHERE o.first_seen <= ? AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.block_id = o.block_id)"
                        + " ORDER BY o.block_id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, before);
        for (String[] r : orphans) {
            order(m, out, r[0], r[1]);
            Sql.update(m.c, "DELETE FROM orphan_replicas WHERE block_id = ? AND node_id = ?", r[0], r[1]);
        }
        return out;
    }

    private static void order(Mutation m, Map<String, List<BlockId>> out, String block, String node)
            throws SQLException {
        Sql.update(m.c, "DELETE FROM gc_deletions WHERE block_id = ? AND node_id = ?", block, node);
        Sql.update(m.c, "INSERT INTO gc_deletions (block_id, node_id, ordered_at) VALUES (?, ?, ?)",
                block, node, m.millis);
        out.computeIfAbsent(node, k -> new ArrayList<>()).add(new BlockId(block));
    }
}
