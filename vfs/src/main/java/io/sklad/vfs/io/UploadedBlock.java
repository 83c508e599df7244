package io.sklad.vfs.io;

import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.CommittedBlock;
import io.sklad.vfs.client.WorkerNode;

import java.util.List;

/**
 * A block made durable on workers (or found to be a hole), waiting for its commit.
 *
 * @param id       null for a hole
 * @param replicas workers that acknowledged it, in placement order
 */
public record UploadedBlock(BlockId id, long storedLength, List<WorkerNode> replicas) {

    public UploadedBlock {
        replicas = List.copyOf(replicas);
    }

    static UploadedBlock hole() {
        return new UploadedBlock(null, 0, List.of());
    }

    boolean isHole() {
        return id == null;
    }

    CommittedBlock toCommitted(long index) {
        if (id == null) {
            return CommittedBlock.hole(index);
        }
        return new CommittedBlock(index, id, storedLength, replicas.stream().map(WorkerNode::nodeId).toList());
    }

    BlockRef toRef(long index) {
        return new BlockRef(index, id, storedLength, replicas);
    }
}
