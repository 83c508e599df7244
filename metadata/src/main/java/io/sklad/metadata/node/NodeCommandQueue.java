package io.sklad.metadata.node;

import java.util.List;

/**
 * Work waiting for a worker, handed out with its heartbeats. Repair and garbage collection fill it
 * (a later issue); until then {@link #NONE} hands out nothing.
 */
public interface NodeCommandQueue {
    NodeCommandQueue NONE = nodeId -> List.of();

    /** Removes and returns the commands pending for {@code nodeId}. */
    List<NodeCommand> drain(String nodeId);
}
