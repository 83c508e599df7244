package io.sklad.metadata.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The worker registry, node states, replica rows and block reports. */
final class JdbcNodes {
    /** Ids per IN list: well within every driver's parameter limit. */
    static final int CHUNK = 500;

    private static final String NODE_COLUMNS = "node_id, address, labels, capacity, used, free, block_count,"
            + " read_only, last_heartbeat, draining";

    private final StorePolicy policy;

    JdbcNodes(StorePolicy policy) {
        this.policy = policy;
    }

    // ------------------------------------------------------------------ state

    NodeState state(long lastHeartbeat, boolean draining, long now) {
        long silent = now - lastHeartbeat;
        if (silent >= policy.deadAfter().toMillis()) {
            return NodeState.DEAD;
        }
        if (silent >= policy.suspectAfter().toMillis()) {
            return NodeState.SUSPECT;
        }
        return draining ? NodeState.DRAINING : NodeState.ALIVE;
    }

    List<NodeStatus> all(Connection c, long now) throws SQLException {
        return Sql.query(c, "SELECT " + NODE_COLUMNS + " FROM nodes ORDER BY node_id", rs -> row(rs, now));
    }

    /** Nodes that may hold readable replicas (not DEAD), by id. */
    Map<String, NodeStatus> readable(Connection c, long now) throws SQLException {
        Map<String, NodeStatus> out = new HashMap<>();
        for (NodeStatus n : all(c, now)) {
            if (n.state() != NodeState.DEAD) {
                out.put(n.nodeId(), n);
            }
        }
        return out;
    }

    long aliveWritableCount(Connection c, long now) throws SQLException {
        return all(c, now).stream().filter(n -> n.state() == NodeState.ALIVE).count();
    }

    private NodeStatus row(ResultSet rs, long now) throws SQLException {
        long hb = rs.getLong("last_heartbeat");
        boolean draining = rs.getBoolean("draining");
        return new NodeStatus(rs.getString("node_id"), rs.getString("address"), decodeLabels(rs.getString("labels")),
                new NodeStats(rs.getLong("capacity"), rs.getLong("used"), rs.getLong("free"),
                        rs.getLong("block_count"), rs.getBoolean("read_only")),
                state(hb, draining, now), hb);
    }

    /** Readable replica states, best first: ALIVE, then DRAINING, then SUSPECT. */
    private static int stateRank(NodeStatus n) {
        return switch (n.state()) {
            case ALIVE -> 0;
            case DRAINING -> 1;
            case SUSPECT -> 2;
            case DEAD -> 3;
        };
    }

    /**
     * Read order of one block's replicas: healthy nodes first, then an order that differs per block. A global
     * order (by free space, say) would send every read of every block to the same worker, leaving the others
     * idle and never reading (so never finding) their bad copies.
     */
    static Comparator<NodeStatus> bestFirst(String blockId) {
        return Comparator.comparingInt(JdbcNodes::stateRank)
                .thenComparingLong(n -> spread(blockId, n.nodeId()))
                .thenComparing(NodeStatus::nodeId);
    }

    private static long spread(String blockId, String nodeId) {
        // SplitMix64 finaliser over both hashes: cheap and well mixed, stable across restarts
        long z = ((long) blockId.hashCode() << 32) ^ (nodeId.hashCode() & 0xffffffffL);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ------------------------------------------------------------------ registry

    void register(Connection c, String nodeId, String address, Map<String, String> labels, NodeStats s, long now)
            throws SQLException {
        int n = Sql.update(c, "UPDATE nodes SET address = ?, labels = ?, capacity = ?, used = ?, free = ?,"
                        + " block_count = ?, read_only = ?, last_heartbeat = ? WHERE node_id = ?",
                address, encodeLabels(labels), s.capacityBytes(), s.usedBytes(), s.freeBytes(), s.blockCount(),
                s.readOnly(), now, nodeId);
        if (n == 0) {
            Sql.update(c, "INSERT INTO nodes (node_id, address, labels, capacity, used, free, block_count, read_only,"
                            + " last_heartbeat, registered_at, draining, report_gen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    nodeId, address, encodeLabels(labels), s.capacityBytes(), s.usedBytes(), s.freeBytes(),
                    s.blockCount(), s.readOnly(), now, now, false);
        }
    }

    boolean heartbeat(Connection c, String nodeId, NodeStats s, long now) throws SQLException {
        return Sql.update(c, "UPDATE nodes SET capacity = ?, used = ?, free = ?, block_count = ?, read_only = ?,"
                        + " last_heartbeat = ? WHERE node_id = ?", s.capacityBytes(), s.usedBytes(), s.freeBytes(),
                s.blockCount(), s.readOnly(), now, nodeId) > 0;
    }

    /** Registered node ids among {@code ids}. */
    Set<String> registered(Connection c, Set<String> ids) throws SQLException {
        Set<String> out = new HashSet<>();
        List<String> list = new ArrayList<>(ids);
        for (int i = 0; i < list.size(); i += CHUNK) {
            List<String> part = list.subList(i, Math.min(list.size(), i + CHUNK));
            out.addAll(Sql.query(c, "SELECT node_id FROM nodes WHERE node_id IN (" + Database.placeholders(part.size())
                    + ")", rs -> rs.getString(1), part.toArray()));
        }
        return out;
    }

    // ------------------------------------------------------------------ block reports

    long beginReport(Connection c, String nodeId) throws SQLException {
        if (Sql.update(c, "UPDATE nodes SET report_gen = report_gen + 1 WHERE node_id = ?", nodeId) == 0) {
            throw new MetadataException(MetaError.NOT_FOUND, "unknown node " + nodeId + ": register first");
        }
        return Sql.count(c, "SELECT report_gen FROM nodes WHERE node_id = ?", nodeId);
    }

    ReportCounts addReported(Connection c, String nodeId, long gen, List<BlockId> ids, long now) throws SQLException {
        ReportCounts total = new ReportCounts(0, 0);
        for (int i = 0; i < ids.size(); i += CHUNK) {
            List<BlockId> part = ids.subList(i, Math.min(ids.size(), i + CHUNK));
            Object[] hexes = part.stream().map(BlockId::hex).distinct().toArray();
            String in = Database.placeholders(hexes.length);
            Set<String> known = new HashSet<>(Sql.query(c, "SELECT block_id FROM blocks WHERE block_id IN (" + in + ")",
                    rs -> rs.getString(1), hexes));
            Object[] args = new Object[hexes.length + 1];
            args[0] = nodeId;
            System.arraycopy(hexes, 0, args, 1, hexes.length);
            Set<String> have = new HashSet<>(Sql.query(c, "SELECT block_id FROM replicas WHERE node_id = ?"
                    + " AND block_id IN (" + in + ")", rs -> rs.getString(1), args));
            Object[] updArgs = new Object[hexes.length + 2];
            updArgs[0] = gen;
            System.arraycopy(args, 0, updArgs, 1, args.length);
            Sql.update(c, "UPDATE replicas SET report_gen = ? WHERE node_id = ? AND block_id IN (" + in + ")", updArgs);
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO replicas (block_id, node_id, report_gen, added_at) VALUES (?, ?, ?, ?)")) {
                for (String hex : known) {
                    if (!have.contains(hex)) {
                        Sql.bind(ins, hex, nodeId, gen, now);
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
            }
            addOrphans(c, nodeId, gen, now, hexes, known);
            total = total.plus(new ReportCounts(known.size(), hexes.length - known.size()));
        }
        return total;
    }

    /** Ids the master has no record of: kept with the time first seen, deleted once the GC grace has passed. */
    private static void addOrphans(Connection c, String nodeId, long gen, long now, Object[] hexes, Set<String> known)
            throws SQLException {
        List<Object> unknown = new ArrayList<>();
        for (Object h : hexes) {
            if (!known.contains((String) h)) {
                unknown.add(h);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Object[] args = new Object[unknown.size() + 1];
        args[0] = nodeId;
        System.arraycopy(unknown.toArray(), 0, args, 1, unknown.size());
        String in = Database.placeholders(unknown.size());
        Set<String> have = new HashSet<>(Sql.query(c, "SELECT block_id FROM orphan_replicas WHERE node_id = ?"
                + " AND block_id IN (" + in + ")", rs -> rs.getString(1), args));
        Object[] updArgs = new Object[args.length + 1];
        updArgs[0] = gen;
        System.arraycopy(args, 0, updArgs, 1, args.length);
        Sql.update(c, "UPDATE orphan_replicas SET report_gen = ? WHERE node_id = ? AND block_id IN (" + in + ")",
                updArgs);
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO orphan_replicas (block_id, node_id, first_seen, report_gen) VALUES (?, ?, ?, ?)")) {
            for (Object h : unknown) {
                if (!have.contains((String) h)) {
                    Sql.bind(ins, h, nodeId, now, gen);
                    ins.addBatch();
                }
            }
            ins.executeBatch();
        }
    }

    void finishReport(Connection c, String nodeId, long gen, long startedMillis) throws SQLException {
        Sql.update(c, "DELETE FROM replicas WHERE node_id = ? AND report_gen <> ? AND added_at < ?",
                nodeId, gen, startedMillis);
        Sql.update(c, "DELETE FROM orphan_replicas WHERE node_id = ? AND report_gen <> ?", nodeId, gen);
    }

    // ------------------------------------------------------------------ replicas

    /** Inserts the replica rows that are missing. */
    void addReplicas(Connection c, Map<String, Set<String>> nodesByBlock, long now) throws SQLException {
        List<String> blocks = new ArrayList<>(nodesByBlock.keySet());
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO replicas (block_id, node_id, report_gen, added_at) VALUES (?, ?, 0, ?)")) {
            for (int i = 0; i < blocks.size(); i += CHUNK) {
                List<String> part = blocks.subList(i, Math.min(blocks.size(), i + CHUNK));
                Set<String> have = new HashSet<>(Sql.query(c, "SELECT block_id, node_id FROM replicas WHERE block_id IN ("
                                + Database.placeholders(part.size()) + ")",
                        rs -> rs.getString(1) + "/" + rs.getString(2), part.toArray()));
                for (String block : part) {
                    for (String node : nodesByBlock.get(block)) {
                        if (!have.contains(block + "/" + node)) {
                            Sql.bind(ins, block, node, now);
                            ins.addBatch();
                        }
                    }
                }
            }
            ins.executeBatch();
        }
    }

    /** Readable replicas, best first, of each of the given blocks (hex ids). */
    Map<String, List<NodeStatus>> replicasOf(Connection c, List<String> blockIds, long now) throws SQLException {
        Map<String, NodeStatus> nodes = readable(c, now);
        Map<String, List<NodeStatus>> out = new HashMap<>();
        for (int i = 0; i < blockIds.size(); i += CHUNK) {
            List<String> part = blockIds.subList(i, Math.min(blockIds.size(), i + CHUNK));
            for (String[] r : Sql.query(c, "SELECT block_id, node_id FROM replicas WHERE block_id IN ("
                            + Database.placeholders(part.size()) + ")",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}, part.toArray())) {
                NodeStatus n = nodes.get(r[1]);
                if (n != null) {
                    out.computeIfAbsent(r[0], k -> new ArrayList<>()).add(n);
                }
            }
        }
        out.forEach((block, list) -> list.sort(bestFirst(block)));
        return out;
    }

    // ------------------------------------------------------------------ labels

    static String encodeLabels(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    static Map<String, String> decodeLabels(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String pair : s.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
