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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Brings every block back to its replication factor. Each {@link #runOnce() pass} scans the blocks whose
 * copies on live nodes (ALIVE or SUSPECT; a DEAD node's copies are lost, a DRAINING node's are leaving)
 * differ from what their volume wants, most endangered first, and
 * <ul>
 * <li>for a block below its factor picks targets and, for each target, a source (a live holder, DRAINING
 *     included: it still serves reads), and adds the block to a copy <em>task</em> from that source to that
 *     target: a {@link NodeCommand.CopyBlocks} of up to {@code blocksPerTask} blocks (and {@link #TASK_BYTES})
 *     that the source streams to the target in one PutBlocks call, acknowledged after one group fsync;</li>
 * <li>for a block above it (a node came back after its copies were re-made) deletes the surplus copy on
 *     the holder with the most used space, keeping the spread over sites.</li>
 * </ul>
 * A copy counts once the source reports the target's acknowledgement ({@link #copied}), all blocks of a task
 * in one transaction; until then the task is in flight, and one not confirmed within the copy timeout is
 * given up and its blocks ordered again. A finished task asks for the next pass at once ({@code wake}), so
 * the pipeline does not idle until the next interval.
 *
 * <p><b>Targets.</b> ALIVE, writable (not read-only, not draining) nodes that hold no row for the block,
 * sites with the fewest copies first, then most free space. This is deliberately not the agent's weighted
 * rendezvous: rendezvous lets many agents agree on placement without talking to each other, but the
 * master is the one scheduler of repair and records every copy it makes, so nothing needs to recompute the
 * choice, and it can use what only it knows (copies in flight, per-node load) to spread the work.
 *
 * <p><b>Bounds.</b> A node is the source or target of at most {@code maxTasksPerNode} tasks in flight and
 * is ordered at most {@code bytesPerSecondPerNode} bytes per second (a token bucket holding one pass
 * interval's worth, at least one second's).
 *
 * <p>Thread-safe. A pass holds the scheduler's lock while it scans and orders. Confirmations arrive with
 * heartbeats and never wait for a pass: they are queued and applied by whoever holds the lock next (the
 * heartbeat itself when no pass runs). {@link #progress()} likewise answers from the last snapshot while a
 * pass runs, so neither heartbeats nor {@code sklad status} stall behind a slow scan.
 */
public final class RepairScheduler implements ReplicationListener {
    private static final Logger LOG = LoggerFactory.getLogger(RepairScheduler.class);
    static final String SITE = "site";
    private static final long RATE_WINDOW_MILLIS = 30_000;
    /** Most bytes in one task: the target holds one block at a time, but a task should end within seconds. */
    static final long TASK_BYTES = 64L << 20;

    private final HealingStore store;
    private final Supplier<List<NodeStatus>> nodes;
    private final QueuedNodeCommands queue;
    private final HealingConfig config;
    private final Clock clock;
    private final Runnable wake;

    private final ReentrantLock lock = new ReentrantLock();
    private final Queue<Confirmation> confirmations = new ConcurrentLinkedQueue<>();
    private volatile RepairProgress published = RepairProgress.NONE;
    private volatile int publishedTasks;
    private final Map<Long, Task> tasks = new HashMap<>();
    private final Map<BlockId, Set<Long>> inFlight = new HashMap<>();
    private final Map<String, Integer> loads = new HashMap<>();
    private final Map<String, Bucket> budgets = new HashMap<>();
    private final Deque<long[]> confirmed = new ArrayDeque<>();
    private long nextTaskId;
    private long repairedBlocks;
    private long trimmedBlocks;
    private ReplicationScan lastScan = new ReplicationScan(List.of(), List.of(), 0, 0);
    private long withoutSource;

    /** A copy result reported by a source node, waiting to be applied under the lock. */
    private record Confirmation(String sourceNodeId, CopyResult result) {
    }

    /** An ordered copy task: its source, its target, its blocks with their stored lengths, when it was ordered. */
    private static final class Task {
        final long id;
        final String source;
        final NodeStatus target;
        final long orderedAt;
        final Map<BlockId, Long> blocks = new LinkedHashMap<>();
        long bytes;

        Task(long id, String source, NodeStatus target, long orderedAt) {
            this.id = id;
            this.source = source;
            this.target = target;
            this.orderedAt = orderedAt;
        }

        boolean fits(long length, int maxBlocks) {
            return blocks.size() < maxBlocks && (blocks.isEmpty() || bytes + length <= TASK_BYTES);
        }
    }

    /** The tasks one pass opens: all of them, and the latest (the one still filling) per source and target. */
    private static final class OpenTasks {
        final List<Task> all = new ArrayList<>();
        final Map<String, Task> latest = new HashMap<>();

        void add(Task t) {
            all.add(t);
            latest.put(t.source + " " + t.target.nodeId(), t);
        }
    }

    /**
     * @param nodes the registered nodes with their current states
     */
    public RepairScheduler(HealingStore store, Supplier<List<NodeStatus>> nodes, QueuedNodeCommands queue,
                           HealingConfig config, Clock clock) {
        this(store, nodes, queue, config, clock, () -> { });
    }

    /**
     * @param wake asked (never under a lock it could wait on) to run a pass soon: a copy task has finished
     */
    public RepairScheduler(HealingStore store, Supplier<List<NodeStatus>> nodes, QueuedNodeCommands queue,
                           HealingConfig config, Clock clock, Runnable wake) {
        this.store = store;
        this.nodes = nodes;
        this.queue = queue;
        this.config = config;
        this.clock = clock;
        this.wake = wake;
        // ids unlikely to repeat across master restarts: a late result of an old task must not release a new one
        this.nextTaskId = clock.millis() * 1000;
    }

    /** One scheduling pass; returns the block copies ordered plus the surplus copies deleted. */
    public int runOnce() {
        lock.lock();
        try {
            applyConfirmations();
            int done = pass();
            applyConfirmations();
            return done;
        } finally {
            publish();
            lock.unlock();
        }
    }

    private int pass() {
        long now = clock.millis();
        expire(now);
        Map<String, NodeStatus> byId = new HashMap<>();
        for (NodeStatus n : nodes.get()) {
            byId.put(n.nodeId(), n);
        }
        // enough rows to fill every node's task slots past the blocks already in flight
        long capacity = (long) config.maxTasksPerNode() * config.blocksPerTask() * Math.max(1, byId.size());
        int limit = (int) Math.min(200_000, Math.max(1000, capacity + inFlight.size()));
        ReplicationScan scan = store.scanReplication(limit);
        lastScan = scan;
        OpenTasks open = new OpenTasks();
        int ordered = 0;
        long noSource = 0;
        for (BlockCopies b : scan.under()) {
            if (inFlight.containsKey(b.id())) {
                continue;
            }
            int copies = repair(b, byId, open, now);
            if (copies < 0) {
                noSource++;
            } else {
                ordered += copies;
            }
        }
        withoutSource = noSource;
        for (Task t : open.all) {
            tasks.put(t.id, t);
            queue.add(t.source, new NodeCommand.CopyBlocks(t.id, t.target.nodeId(), t.target.address(),
                    List.copyOf(t.blocks.keySet())));
        }
        int trimmed = 0;
        for (BlockCopies b : scan.over()) {
            if (!inFlight.containsKey(b.id()) && trim(b, byId)) {
                trimmed++;
            }
        }
        if (ordered > 0 || trimmed > 0 || noSource > 0) {
            LOG.info("repair pass: {} blocks at risk, {} copies ordered in {} tasks, {} tasks in flight,"
                            + " {} surplus copies deleted, {} blocks without a live source", scan.blocksAtRisk(), ordered,
                    open.all.size(), tasks.size(), trimmed, noSource);
        }
        return ordered + trimmed;
    }

    /** Adds the block to tasks towards its targets; returns the copies ordered, or -1 when no live node has it. */
    private int repair(BlockCopies b, Map<String, NodeStatus> byId, OpenTasks open, long now) {
        List<NodeStatus> sources = new ArrayList<>();
        for (String h : b.holders()) {
            NodeStatus n = byId.get(h);
            if (n != null && (n.state() == NodeState.ALIVE || n.state() == NodeState.DRAINING)) {
                sources.add(n);
            }
        }
        if (sources.isEmpty()) {
            return -1;
        }
        // a draining one first, as it is the copy that must move; then the least loaded spreads the reads
        sources.sort(Comparator.comparingInt((NodeStatus n) -> n.state() == NodeState.DRAINING ? 0 : 1)
                .thenComparingInt(n -> load(n.nodeId()))
                .thenComparing(NodeStatus::nodeId));
        int copies = 0;
        for (NodeStatus target : chooseTargets(b, byId, b.wanted() - b.counting(), open, now)) {
            Task task = taskFor(b, sources, target, open, now);
            if (task == null) {
                continue;
            }
            task.blocks.put(b.id(), b.storedLength());
            task.bytes += b.storedLength();
            take(task.source, b.storedLength(), now);
            take(target.nodeId(), b.storedLength(), now);
            inFlight.computeIfAbsent(b.id(), k -> new HashSet<>()).add(task.id);
            copies++;
        }
        return copies;
    }

    /**
     * The task this pass to put a copy of {@code b} onto {@code target} in: one already open from a holder to
     * the target with room, else a new one from the first holder (in {@code sources} order) with a free slot.
     */
    private Task taskFor(BlockCopies b, List<NodeStatus> sources, NodeStatus target, OpenTasks open, long now) {
        long len = b.storedLength();
        if (!hasTokens(target.nodeId(), len, now)) {
            return null;
        }
        for (NodeStatus s : sources) {
            Task t = open.latest.get(s.nodeId() + " " + target.nodeId());
            if (t != null && t.fits(len, config.blocksPerTask()) && hasTokens(s.nodeId(), len, now)) {
                return t;
            }
        }
        if (!slotFree(target.nodeId())) {
            return null;
        }
        for (NodeStatus s : sources) {
            if (slotFree(s.nodeId()) && hasTokens(s.nodeId(), len, now)) {
                Task t = new Task(nextTaskId++, s.nodeId(), target, now);
                open.add(t);
                loads.merge(t.source, 1, Integer::sum);
                loads.merge(target.nodeId(), 1, Integer::sum);
                return t;
            }
        }
        return null;
    }

    /**
     * Up to {@code missing} targets for a block: writable ALIVE nodes without a row for it, one at a time
     * from the site with the fewest copies so far, then the most free space.
     */
    List<NodeStatus> chooseTargets(BlockCopies b, Map<String, NodeStatus> byId, int missing, OpenTasks open,
                                   long now) {
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
                            .thenComparingInt(n -> canReceive(n.nodeId(), b.storedLength(), open, now) ? 0 : 1)
                            .thenComparing(n -> -n.stats().freeBytes())
                            .thenComparing(NodeStatus::nodeId))
                    .orElseThrow();
            if (!canReceive(best.nodeId(), b.storedLength(), open, now)) {
                // the right site is busy: wait for it rather than put a second copy into a covered site
                return chosen;
            }
            chosen.add(best);
            candidates.remove(best);
            perSite.merge(site(best), 1, Integer::sum);
        }
        return chosen;
    }

    /** Whether a node could take one more block now: bytes in its budget and a task slot or an open task. */
    private boolean canReceive(String nodeId, long bytes, OpenTasks open, long now) {
        if (!hasTokens(nodeId, bytes, now)) {
            return false;
        }
        if (slotFree(nodeId)) {
            return true;
        }
        for (Task t : open.latest.values()) {
            if (t.target.nodeId().equals(nodeId) && t.fits(bytes, config.blocksPerTask())) {
                return true;
            }
        }
        return false;
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
    public void copied(String sourceNodeId, CopyResult result) {
        confirmations.add(new Confirmation(sourceNodeId, result));
        if (lock.tryLock()) {
            // no snapshot here: progress() takes its own when the lock is free, and a pass publishes at its end
            try {
                applyConfirmations();
            } finally {
                lock.unlock();
            }
        }
        wake.run();
    }

    /** Applies the queued confirmations; the lock is held. */
    private void applyConfirmations() {
        Confirmation c;
        while ((c = confirmations.poll()) != null) {
            try {
                record(c.sourceNodeId(), c.result());
            } catch (RuntimeException e) {
                // the copies stay unrecorded: the target's next block report or a new task brings them back
                LOG.warn("could not record copy task {} from {}: {}", c.result().taskId(), c.sourceNodeId(), e.toString());
            }
        }
    }

    private void record(String sourceNodeId, CopyResult r) {
        long now = clock.millis();
        Task task = tasks.get(r.taskId());
        if (task != null && !(task.source.equals(sourceNodeId) && task.target.nodeId().equals(r.targetNodeId()))) {
            task = null;
        }
        if (!r.copied().isEmpty()) {
            Set<BlockId> recorded = store.addReplicas(r.targetNodeId(), r.copied());
            long bytes = 0;
            for (BlockId id : recorded) {
                bytes += task == null ? 0 : task.blocks.getOrDefault(id, 0L);
            }
            repairedBlocks += recorded.size();
            if (bytes > 0) {
                confirmed.addLast(new long[] {now, bytes});
            }
        }
        if (!r.sourceMissing().isEmpty()) {
            LOG.warn("node {} was to copy {} blocks but holds no good copy of them: forgetting those replicas",
                    sourceNodeId, r.sourceMissing().size());
            store.dropReplicas(sourceNodeId, r.sourceMissing());
        }
        if (!r.failed().isEmpty()) {
            LOG.info("{} blocks of copy task {} from {} to {} failed; they will be ordered again", r.failed().size(),
                    r.taskId(), sourceNodeId, r.targetNodeId());
        }
        if (task != null) {
            release(task);
        }
    }

    private void release(Task task) {
        tasks.remove(task.id);
        loads.merge(task.source, -1, Integer::sum);
        loads.merge(task.target.nodeId(), -1, Integer::sum);
        for (BlockId b : task.blocks.keySet()) {
            Set<Long> carrying = inFlight.get(b);
            if (carrying != null && carrying.remove(task.id) && carrying.isEmpty()) {
                inFlight.remove(b);
            }
        }
    }

    private void expire(long now) {
        List<Task> old = tasks.values().stream()
                .filter(t -> now - t.orderedAt > config.copyTimeout().toMillis()).toList();
        for (Task t : old) {
            LOG.info("copy task {} ({} blocks from {} to {}) not confirmed within {}: ordering its blocks again",
                    t.id, t.blocks.size(), t.source, t.target.nodeId(), config.copyTimeout());
            release(t);
        }
        while (!confirmed.isEmpty() && now - confirmed.peekFirst()[0] > RATE_WINDOW_MILLIS) {
            confirmed.removeFirst();
        }
    }

    /** Where repair stands, as of the last pass; while a pass runs, as of the one before. */
    public RepairProgress progress() {
        if (lock.tryLock()) {
            try {
                applyConfirmations();
                publish();
            } finally {
                lock.unlock();
            }
        }
        return published;
    }

    /** Computes the progress snapshot; the lock is held. */
    private void publish() {
        published = computeProgress();
        publishedTasks = tasks.size();
    }

    private RepairProgress computeProgress() {
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

    /** Copy tasks ordered and not yet confirmed (as of the last pass, while one runs). */
    public int tasksInFlight() {
        progress();
        return publishedTasks;
    }

    /** Tasks a node is source or target of, in flight or opened in this pass. */
    private int load(String nodeId) {
        return loads.getOrDefault(nodeId, 0);
    }

    private boolean slotFree(String nodeId) {
        return load(nodeId) < config.maxTasksPerNode();
    }

    private boolean hasTokens(String nodeId, long bytes, long now) {
        return bucket(nodeId, now).tokens >= Math.min(bytes, bucketSize());
    }

    private void take(String nodeId, long bytes, long now) {
        bucket(nodeId, now).tokens -= bytes;
    }

    /** One pass interval's worth (at least a second's): else a long interval would cap the rate below the bound. */
    private long bucketSize() {
        return (long) (config.bytesPerSecondPerNode() * (Math.max(1000, config.repairInterval().toMillis()) / 1000.0));
    }

    private Bucket bucket(String nodeId, long now) {
        Bucket b = budgets.computeIfAbsent(nodeId, k -> new Bucket(bucketSize(), now));
        b.refill(config.bytesPerSecondPerNode(), bucketSize(), now);
        return b;
    }

    static String site(NodeStatus n) {
        String s = n.labels().get(SITE);
        // a node without a site label is a failure domain of its own
        return s == null ? "node:" + n.nodeId() : "site:" + s;
    }

    /** Repair bytes a node may still be ordered now. */
    private static final class Bucket {
        double tokens;
        long at;

        Bucket(long tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long perSecond, long size, long now) {
            tokens = Math.min(size, tokens + (now - at) * perSecond / 1000.0);
            at = now;
        }
    }
}
