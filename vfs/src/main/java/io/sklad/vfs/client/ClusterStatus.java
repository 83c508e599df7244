package io.sklad.vfs.client;

import java.util.List;

/** The master's view of the cluster. */
public record ClusterStatus(List<WorkerNode> nodes, long underReplicated, long blockCount, long logicalBytes,
                            long storedBytes, List<VolumeInfo> volumes, RepairProgress repair) {

    public ClusterStatus {
        nodes = List.copyOf(nodes);
        volumes = List.copyOf(volumes);
        repair = repair == null ? RepairProgress.NONE : repair;
    }

    /** Without repair progress. */
    public ClusterStatus(List<WorkerNode> nodes, long underReplicated, long blockCount, long logicalBytes,
                         long storedBytes, List<VolumeInfo> volumes) {
        this(nodes, underReplicated, blockCount, logicalBytes, storedBytes, volumes, RepairProgress.NONE);
    }
}
