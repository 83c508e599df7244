package io.sklad.metadata.gc;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.node.QueuedNodeCommands;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.HealingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Deletes blocks nothing references any more. A pass
 * <ol>
 * <li>purges history older than each volume's retention (deleted files, replaced versions);</li>
 * <li>marks blocks found without any block_map row with the time first seen so, and unmarks blocks
 *     referenced again (a commit or copy reusing them; an agent finding them for dedup also unmarks);</li>
 * <li>collects, in one transaction serialised with commits, blocks marked for at least the grace period and
 *     still unreferenced, and ids workers hold that the master never heard of (uploads never committed)
 *     first seen at least the grace period ago: their rows go, and a deletion order per copy is queued for
 *     the holder's next heartbeat. The workers' compaction then gives the space back.</li>
 * </ol>
 * <b>Races with commits.</b> A commit either runs before the collection (its block_map row keeps the block)
 * or after it: then the deletion orders, kept for {@code max(grace, 1 min)}, make the commit ignore
 * acknowledgements from the nodes ordered to delete the block, so it never counts a copy that may be gone
 * (it fails for lack of copies instead, and the agent uploads again).
 */
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final int BATCH = 10_000;
    private static final Duration MIN_ORDER_MEMORY = Duration.ofMinutes(1);

    private final HealingStore store;
    private final QueuedNodeCommands queue;
    private final HealingConfig config;
    private final Clock clock;
    private volatile long pending;
    private volatile long deleted;

    public GarbageCollector(HealingStore store, QueuedNodeCommands queue, HealingConfig config, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.config = config;
        this.clock = clock;
    }

    /** One pass; returns the copies ordered deleted. */
    public synchronized int runOnce() {
        long purged = store.purgeExpiredHistory();
        long now = clock.millis();
        long waiting = store.markUnreferenced();
        Map<String, List<BlockId>> orders = store.collectGarbage(now - config.gcGrace().toMillis(), BATCH);
        int copies = 0;
        for (Map.Entry<String, List<BlockId>> e : orders.entrySet()) {
            queue.add(e.getKey(), new NodeCommand.Delete(e.getValue()));
            copies += e.getValue().size();
        }
        long blocks = orders.values().stream().flatMap(List::stream).distinct().count();
        deleted += blocks;
        pending = Math.max(0, waiting - blocks);
        Duration memory = config.gcGrace().compareTo(MIN_ORDER_MEMORY) > 0 ? config.gcGrace() : MIN_ORDER_MEMORY;
        store.forgetDeletionsBefore(now - memory.toMillis());
        if (purged > 0 || copies > 0) {
            LOG.info("garbage collection: {} history rows past retention purged, {} blocks ({} copies on {} nodes)"
                    + " ordered deleted, {} waiting out the grace period", purged, blocks, copies, orders.size(), pending);
        }
        return copies;
    }

    /** Unreferenced blocks and orphan copies waiting out the grace period, as of the last pass. */
    public long pending() {
        return pending;
    }

    /** Blocks ordered deleted since the master started. */
    public long deleted() {
        return deleted;
    }
}
