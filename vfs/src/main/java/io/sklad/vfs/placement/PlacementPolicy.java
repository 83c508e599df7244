package io.sklad.vfs.placement;

import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.WorkerNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a block goes: weighted rendezvous (highest random weight) hashing over the live workers, spread
 * over failure domains first.
 *
 * <p>Each node scores {@code -weight / ln(u)} with {@code u} in (0, 1) from SHA-256(block id, node id) and
 * weight = free bytes; the top score wins with probability proportional to the weight, and adding or
 * removing a node moves only the blocks it wins or held. A node's failure domain is its {@code site} label,
 * or the node itself without one. The ranking takes the best node of each domain in score order, then the
 * remaining nodes in score order, so the first R are on as many domains as possible and the rest is the
 * fallback order when a worker fails. The same inputs always give the same ranking.
 */
public final class PlacementPolicy {

    public static final String SITE_LABEL = "site";

    /** All usable nodes ranked for this block: domain-spread first, then the rest; the first R are its home. */
    public List<WorkerNode> rank(BlockId block, List<WorkerNode> nodes) {
        byte[] id = block.toBytes();
        record Scored(WorkerNode node, double score) {
        }
        List<Scored> scored = new ArrayList<>(nodes.size());
        for (WorkerNode n : nodes) {
            if (n.readOnly()) {
                continue;
            }
            scored.add(new Scored(n, score(id, n)));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                .thenComparing(s -> s.node().nodeId()));
        List<WorkerNode> firstOfDomain = new ArrayList<>();
        List<WorkerNode> rest = new ArrayList<>();
        Set<String> domains = new HashSet<>();
        for (Scored s : scored) {
            if (domains.add(domain(s.node()))) {
                firstOfDomain.add(s.node());
            } else {
                rest.add(s.node());
            }
        }
        firstOfDomain.addAll(rest);
        return firstOfDomain;
    }

    /** The R (or fewer, when fewer nodes exist) distinct nodes a block belongs on. */
    public List<WorkerNode> place(BlockId block, List<WorkerNode> nodes, int replicas) {
        List<WorkerNode> ranked = rank(block, nodes);
        return List.copyOf(ranked.subList(0, Math.min(replicas, ranked.size())));
    }

    static String domain(WorkerNode n) {
        String site = n.labels().get(SITE_LABEL);
        return site == null || site.isEmpty() ? "node:" + n.nodeId() : "site:" + site;
    }

    static double score(byte[] blockId, WorkerNode node) {
        MessageDigest sha = sha256();
        sha.update(blockId);
        sha.update(node.nodeId().getBytes(StandardCharsets.UTF_8));
        byte[] h = sha.digest();
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (h[i] & 0xff);
        }
        // 53 random bits into the open interval (0, 1)
        double u = ((bits >>> 11) + 0.5) / (double) (1L << 53);
        double weight = Math.max(1.0, (double) node.freeBytes());
        return -weight / Math.log(u);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
