package io.sklad.metadata.repair;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.node.QueuedNodeCommands;
import io.sklad.metadata.node.ReplicationListener;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.HealingStore;
import io.sklad.metadata.store.HealingStore.BlockCopies;
import io.sklad.metadata.store.HealingStore.ReplicationScan;
import io.sklad.metadata.store.NodeState;
import io.sklad.metadata.store.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Brings every block back to its replication factor. Each {@link #runOnce() pass} scans the blocks whose
 * copies on live nodes (ALIVE or SUSPECT; a DEAD node's copies are lost, a DRAINING node's are leaving)
 * differ from what their volume wants, most endangered first, and
 * <ul>
 * <li>for a block below its factor picks a source (a live holder, DRAINING included: it still serves reads)
 *     and targets, and queues a {@link NodeCommand.Replicate} for the source's next heartbeat;</li>
 * <li>for a block above it (a node came back after its copies were re-made) deletes the surplus copy on
 *     the holder with the most used space, keeping the spread over sites.</li>
 * </ul>
 * A copy counts once the source reports the target's acknowledgement ({@link #replicated}); until then it
 * is in flight, and one not confirmed within the copy timeout is ordered again.
 *
 * <p><b>Targets.</b> ALIVE, writable (not read-only, not draining) nodes that hold no row for the block,
 * sites with the fewest copies first, then most free space. This is deliberately not the agent's weighted
 * rendezvous: rendezvous lets many agents agree on placement without talking to each other, but the
 * master is the one scheduler of repair and records every copy it makes, so nothing needs to recompute the
 * choice, and it can use what only it knows (copies in flight, per-node load) to spread the work.
 *
 * <p><b>Bounds.</b> A node is the source or target of at most {@code maxCopiesPerNode} copies in flight and
 * is ordered at most {@code bytesPerSecondPerNode} bytes per second (a token bucket of one second's worth).
 *
 * <p>Thread-safe: passes and confirmations synchronise on the scheduler.
 */
public final class RepairScheduler implements ReplicationListener {
    private static final Logger LOG = LoggerFactory.getLogger(RepairScheduler.class);
    static final String SITE = "site";
    private static final long RATE_WINDOW_MILLIS = 30_000;

    private final HealingStore store;
    private final Supplier<List<NodeStatus>> nodes;
    private final QueuedNodeCommands queue;
    private final HealingConfig config;
    private final Clock clock;

    private final Map<BlockId, Copy> inFlight = new HashMap<>();
    private final Map<String, Integer> loads = new HashMap<>();
    private final Map<String, Bucket> budgets = new HashMap<>();
    private final Deque<long[]> confirmed = new ArrayDeque<>();
    private long repairedBlocks;
    private long trimmedBlocks;
    private ReplicationScan lastScan = new ReplicationScan(List.of(), List.of(), 0, 0);
    private long withoutSource;

    /** An ordered copy: its source, the targets not yet confirmed, its size and when it was ordered. */
    private record Copy(String source, Set<String> targets, long bytes, long orderedAt) {
    }

    /**
     * @param nodes the registered nodes with their current states
     */
    public RepairScheduler(HealingStore store, Supplier<List<NodeStatus>> nodes, QueuedNodeCommands queue,
                           HealingConfig config, Clock clock) {
        this.store = store;
        this.nodes = nodes;
        this.queue = queue;
        this.config = config;
        this.clock = clock;
    }

    /** One scheduling pass; returns the copies ordered and surplus copies deleted. */
    public synchronized int runOnce() {
        long now = clock.millis();
        expire(now);
        Map<String, NodeStatus> byId = new HashMap<>();
        for (NodeStatus n : nodes.get()) {
            byId.put(n.nodeId(), n);
        }
        int limit = Math.max(1000, config.maxCopiesPerNode() * Math.max(1, byId.size()));
        ReplicationScan scan = store.scanReplication(limit);
        lastScan = scan;
        int ordered = 0;
        long noSource = 0;
        for (BlockCopies b : scan.under()) {
            if (inFlight.containsKey(b.id())) {
                continue;
            }
            switch (repair(b, byId, now)) {
                case ORDERED -> ordered++;
                case NO_SOURCE -> noSource++;
                default -> { }
            }
        }
        withoutSource = noSource;
        int trimmed = 0;
        for (BlockCopies b : scan.over()) {
            if (!inFlight.containsKey(b.id()) && trim(b, byId)) {
                trimmed++;
            }
        }
        if (ordered > 0 || trimmed > 0 || noSource > 0) {
            LOG.info("repair pass: {} blocks at risk, {} copies ordered, {} in flight, {} surplus copies deleted,"
                    + " {} blocks without a live source", scan.blocksAtRisk(), ordered, inFlight.size(), trimmed, noSource);
        }
        return ordered + trimmed;
    }

    private enum Result { ORDERED, NO_SOURCE, BUSY }

    private Result repair(BlockCopies b, Map<String, NodeStatus> byId, long now) {
        List<NodeStatus> sources = new ArrayList<>();
        for (String h : b.holders()) {
            NodeStatus n = byId.get(h);
            if (n != null && (n.state() == NodeState.ALIVE || n.state() == NodeState.DRAINING)) {
                sources.add(n);
            }
        }
        if (sources.isEmpty()) {
            return Result.NO_SOURCE;
        }
        // the least loaded source spreads the reads; a draining one first, as it is the copy that must move
        sources.sort(Comparator.comparingInt((NodeStatus n) -> n.state() == NodeState.DRAINING ? 0 : 1)
                .thenComparingInt(n -> load(n.nodeId()))
                .thenComparing(NodeStatus::nodeId));
        NodeStatus source = null;
        for (NodeStatus s : sources) {
            if (hasRoom(s.nodeId(), b.storedLength(), now)) {
                source = s;
                break;
            }
        }
        if (source == null) {
            return Result.BUSY;
        }
        List<NodeStatus> targets = chooseTargets(b, byId, b.wanted() - b.counting(), now);
        if (targets.isEmpty()) {
            return Result.BUSY;
        }
        take(source.nodeId(), b.storedLength(), now);
        Set<String> ids = new LinkedHashSet<>();
        List<String> addresses = new ArrayList<>();
        for (NodeStatus t : targets) {
            take(t.nodeId(), b.storedLength(), now);
            ids.add(t.nodeId());
            addresses.add(t.address());
        }
        Copy copy = new Copy(source.nodeId(), ids, b.storedLength(), now);
        inFlight.put(b.id(), copy);
        loads.merge(copy.source(), 1, Integer::sum);
        ids.forEach(t -> loads.merge(t, 1, Integer::sum));
        queue.add(source.nodeId(), new NodeCommand.Replicate(b.id(), List.copyOf(ids), addresses));
        return Result.ORDERED;
    }

    /**
     * Up to {@code missing} targets for a block: writable ALIVE nodes without a row for it, one at a time
     * from the site with the fewest copies so far, then the most free space.
     */
    List<NodeStatus> chooseTargets(BlockCopies b, Map<String, NodeStatus> byId, int missing, long now) {
        Set<String> holders = new HashSet<>(b.holders());
        Map<String, Integer> perSite = new HashMap<>();
        for (String h : holders) {
            NodeStatus n = byId.get(h);
            if (n != null && (n.state() == NodeState.ALIVE || n.state() == NodeState.SUSPECT)) {
                perSite.merge(site(n), 1, Integer::sum);
            }
        }
        List<NodeStatus> candidates = new ArrayList<>();
        for (NodeStatus n : byId.values()) {
            if (n.state() == NodeState.ALIVE && !n.stats().readOnly() && !holders.contains(n.nodeId())
                    && n.stats().freeBytes() > b.storedLength()) {
                candidates.add(n);
            }
        }
        List<NodeStatus> chosen = new ArrayList<>();
        while (chosen.size() < missing && !candidates.isEmpty()) {
            NodeStatus best = candidates.stream().min(Comparator
                            .comparingInt((NodeStatus n) -> perSite.getOrDefault(site(n), 0))
                            .thenComparingInt(n -> hasRoom(n.nodeId(), b.storedLength(), now) ? 0 : 1)
                            .thenComparing(n -> -n.stats().freeBytes())
                            .thenComparing(NodeStatus::nodeId))
                    .orElseThrow();
            if (!hasRoom(best.nodeId(), b.storedLength(), now)) {
                // the right site is busy: wait for it rather than put a second copy into a covered site
                return List.of();
            }
            chosen.add(best);
            candidates.remove(best);
            perSite.merge(site(best), 1, Integer::sum);
        }
        return chosen;
    }

    /** Deletes one surplus copy when more ALIVE holders than wanted have it (SUSPECT ones may yet vanish). */
    private boolean trim(BlockCopies b, Map<String, NodeStatus> byId) {
        List<NodeStatus> alive = new ArrayList<>();
        for (String h : b.holders()) {
            NodeStatus n = byId.get(h);
            if (n != null && n.state() == NodeState.ALIVE) {
                alive.add(n);
            }
        }
        if (alive.size() <= b.wanted()) {
            return false;
        }
        Map<String, Integer> perSite = new HashMap<>();
        alive.forEach(n -> perSite.merge(site(n), 1, Integer::sum));
        // a copy from a site that has several first (keeps the spread), then the fullest node
        NodeStatus victim = alive.stream().max(Comparator
                        .comparingInt((NodeStatus n) -> perSite.get(site(n)))
                        .thenComparingLong(n -> n.stats().usedBytes())
                        .thenComparing(NodeStatus::nodeId))
                .orElseThrow();
        store.dropReplica(b.id(), victim.nodeId());
        queue.add(victim.nodeId(), new NodeCommand.Delete(List.of(b.id())));
        trimmedBlocks++;
        LOG.debug("block {} has {} copies, wants {}: deleting the one on {}", b.id(), alive.size(), b.wanted(),
                victim.nodeId());
        return true;
    }

    @Override
    public synchronized void replicated(String sourceNodeId, BlockId block, String targetNodeId, Outcome outcome) {
        long now = clock.millis();
        Copy copy = inFlight.get(block);
        switch (outcome) {
            case COPIED -> {
                if (store.addReplica(block, targetNodeId)) {
                    repairedBlocks++;
                    confirmed.addLast(new long[] {now, copy == null ? 0 : copy.bytes()});
                }
            }
            case SOURCE_MISSING -> {
                LOG.warn("node {} was to copy block {} but holds no good copy: forgetting that replica",
                        sourceNodeId, block);
                store.dropReplica(block, sourceNodeId);
            }
            case FAILED -> LOG.info("copy of block {} from {} to {} failed; it will be ordered again", block,
                    sourceNodeId, targetNodeId);
        }
        if (copy != null) {
            if (copy.targets().remove(targetNodeId)) {
                loads.merge(targetNodeId, -1, Integer::sum);
            }
            if (copy.targets().isEmpty() || outcome == Outcome.SOURCE_MISSING) {
                release(block, copy);
            }
        }
    }

    private void release(BlockId block, Copy copy) {
        inFlight.remove(block);
        loads.merge(copy.source(), -1, Integer::sum);
        copy.targets().forEach(t -> loads.merge(t, -1, Integer::sum));
    }

    private void expire(long now) {
        List<Map.Entry<BlockId, Copy>> old = inFlight.entrySet().stream()
                .filter(e -> now - e.getValue().orderedAt() > config.copyTimeout().toMillis()).toList();
        old.forEach(e -> release(e.getKey(), e.getValue()));
        while (!confirmed.isEmpty() && now - confirmed.peekFirst()[0] > RATE_WINDOW_MILLIS) {
            confirmed.removeFirst();
        }
    }

    /** Where repair stands, as of the last pass. */
    public synchronized RepairProgress progress() {
        long now = clock.millis();
        expire(now);
        long bytes = 0;
        long oldest = now;
        for (long[] c : confirmed) {
            bytes += c[1];
            oldest = Math.min(oldest, c[0]);
        }
        // over the window, or since the first confirmation in it when repair has just started
        double rate = confirmed.isEmpty() ? 0 : bytes * 1000.0 / Math.max(1000, Math.min(RATE_WINDOW_MILLIS,
                now - oldest + config.repairInterval().toMillis()));
        long eta = lastScan.blocksAtRisk() == 0 ? 0 : rate <= 0 ? -1 : (long) Math.ceil(lastScan.bytesAtRisk() / rate);
        return new RepairProgress(lastScan.blocksAtRisk(), lastScan.bytesAtRisk(), inFlight.size(), rate, eta,
                withoutSource, repairedBlocks, trimmedBlocks);
    }

    /** Copies a node is source or target of, in flight. */
    private int load(String nodeId) {
        return loads.getOrDefault(nodeId, 0);
    }

    private boolean hasRoom(String nodeId, long bytes, long now) {
        return load(nodeId) < config.maxCopiesPerNode() && bucket(nodeId, now).tokens >= Math.min(bytes,
                config.bytesPerSecondPerNode());
    }

    private void take(String nodeId, long bytes, long now) {
        bucket(nodeId, now).tokens -= bytes;
    }

    private Bucket bucket(String nodeId, long now) {
        Bucket b = budgets.computeIfAbsent(nodeId, k -> new Bucket(config.bytesPerSecondPerNode(), now));
        b.refill(config.bytesPerSecondPerNode(), now);
        return b;
    }

    static String site(NodeStatus n) {
        String s = n.labels().get(SITE);
        // a node without a site label is a failure domain of its own
        return s == null ? "node:" + n.nodeId() : "site:" + s;
    }

    /** Repair bytes a node may still be ordered this second. */
    private static final class Bucket {
        double tokens;
        long at;

        Bucket(long tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long perSecond, long now) {
            tokens = Math.min(perSecond, tokens + (now - at) * perSecond / 1000.0);
            at = now;
        }
    }
}
