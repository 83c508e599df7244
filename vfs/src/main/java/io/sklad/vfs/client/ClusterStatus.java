package io.sklad.vfs.client;

import java.util.List;

/** The master's view of the cluster. */
public record ClusterStatus(List<WorkerNode> nodes, long underReplicated, long blockCount, long logicalBytes,
                            long storedBytes, List<VolumeInfo> volumes) {

    public ClusterStatus {
        nodes = List.copyOf(nodes);
        volumes = List.copyOf(volumes);
    }
}
