package io.sklad.metadata.store;

import java.util.Map;

/** A registered worker with its computed state. */
public record NodeStatus(String nodeId, String address, Map<String, String> labels, NodeStats stats,
                         NodeState state, long lastHeartbeatMillis) {
    public NodeStatus {
        labels = Map.copyOf(labels);
    }
}
