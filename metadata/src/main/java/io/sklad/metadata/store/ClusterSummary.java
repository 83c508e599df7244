package io.sklad.metadata.store;

import java.util.List;

/** Cluster-wide counters for ClusterStatus. */
public record ClusterSummary(List<NodeStatus> nodes, long underReplicated, long blockCount,
                             long logicalBytes, long storedBytes, List<VolumeInfo> volumes) {
    public ClusterSummary {
        nodes = List.copyOf(nodes);
        volumes = List.copyOf(volumes);
    }
}
