package io.sklad.metadata.node;

import io.sklad.metadata.store.BlockId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Commands waiting for each worker, in memory: repair and garbage collection add, heartbeats take. Nothing
 * here survives a master restart, and nothing needs to: repair finds its work again in the replica rows
 * and garbage collection only forgets a block once its deletion is ordered, so a lost order leaves an
 * orphan that the worker's next block report brings back. Deletions are merged into one command per
 * heartbeat; at most {@link #MAX_PER_HEARTBEAT} replicate commands go out with one heartbeat.
 */
public final class QueuedNodeCommands implements NodeCommandQueue {
    public static final int MAX_PER_HEARTBEAT = 2000;
    private static final int MAX_DELETES_PER_COMMAND = 20_000;

    private final Map<String, Queue<NodeCommand>> pending = new ConcurrentHashMap<>();

    /** Queues a command for {@code nodeId}. */
    public void add(String nodeId, NodeCommand command) {
        pending.computeIfAbsent(nodeId, k -> new ConcurrentLinkedQueue<>()).add(command);
    }

    /** Drops everything queued for a node (it was removed). */
    public void forget(String nodeId) {
        pending.remove(nodeId);
    }

    /** Commands queued and not yet handed out. */
    public int size() {
        return pending.values().stream().mapToInt(Queue::size).sum();
    }

    @Override
    public List<NodeCommand> drain(String nodeId) {
        Queue<NodeCommand> q = pending.get(nodeId);
        if (q == null) {
            return List.of();
        }
        List<NodeCommand> out = new ArrayList<>();
        List<BlockId> deletes = new ArrayList<>();
        int replicates = 0;
        NodeCommand c;
        while (replicates < MAX_PER_HEARTBEAT && deletes.size() < MAX_DELETES_PER_COMMAND && (c = q.poll()) != null) {
            if (c instanceof NodeCommand.Delete d) {
                deletes.addAll(d.blocks());
            } else {
                out.add(c);
                replicates++;
            }
        }
        if (!deletes.isEmpty()) {
            out.add(new NodeCommand.Delete(deletes));
        }
        return out;
    }
}
