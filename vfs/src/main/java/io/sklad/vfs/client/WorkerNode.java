package io.sklad.vfs.client;

import java.util.Map;

/**
 * A worker as the master reports it.
 *
 * @param address host:port of its ChunkService
 * @param labels  failure-domain labels such as {@code site}
 */
public record WorkerNode(String nodeId, String address, Map<String, String> labels, long capacityBytes,
                         long usedBytes, long freeBytes, NodeState state, long lastHeartbeatMillis, long blockCount,
                         boolean readOnly) {

    public WorkerNode {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A node known only by id and address (tests, fallbacks). */
    public static WorkerNode of(String nodeId, String address, long freeBytes, Map<String, String> labels) {
        return new WorkerNode(nodeId, address, labels, freeBytes, 0, freeBytes, NodeState.ALIVE, 0, 0, false);
    }
}
