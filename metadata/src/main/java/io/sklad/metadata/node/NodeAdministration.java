package io.sklad.metadata.node;

import io.sklad.metadata.store.HealingStore;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.NodeStatus;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.store.VolumeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Admin operations on the cluster: list, drain and remove nodes, set a volume's retention. Every call needs
 * the admin role. Draining takes a node out of placement (agents' LiveNodes and repair targets) while its
 * copies stop counting, so repair copies its blocks elsewhere; removing is allowed only once no block would
 * drop below its replication factor without the node.
 */
public final class NodeAdministration {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAdministration.class);

    private final MetadataStore store;
    private final HealingStore healing;
    private final QueuedNodeCommands queue;

    public NodeAdministration(MetadataStore store, HealingStore healing, QueuedNodeCommands queue) {
        this.store = store;
        this.healing = healing;
        this.queue = queue;
    }

    /** A node with what the master's replica rows say about it. */
    public record NodeUsage(NodeStatus node, long blocks, long blocksOnlyHere) {
    }

    public List<NodeUsage> list(Principal caller) {
        requireAdmin(caller, "list nodes");
        List<NodeUsage> out = new ArrayList<>();
        for (NodeStatus n : store.nodes()) {
            out.add(new NodeUsage(n, healing.blocksOn(n.nodeId()), healing.blocksOnlyOn(n.nodeId())));
        }
        return out;
    }

    /** Starts (or with {@code cancel} ends) draining; returns the node and the blocks still to move. */
    public NodeUsage drain(Principal caller, String nodeId, boolean cancel) {
        requireAdmin(caller, "drain nodes");
        store.setDraining(nodeId, !cancel);
        LOG.info("{} {} node {}", caller.user(), cancel ? "stopped draining" : "is draining", nodeId);
        NodeStatus n = store.nodes().stream().filter(x -> x.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> new MetadataException(MetaError.NOT_FOUND, "unknown node " + nodeId));
        return new NodeUsage(n, healing.blocksOn(nodeId), healing.blocksOnlyOn(nodeId));
    }

    public void remove(Principal caller, String nodeId) {
        requireAdmin(caller, "remove nodes");
        healing.removeNode(nodeId);
        queue.forget(nodeId);
        LOG.info("{} removed node {}", caller.user(), nodeId);
    }

    public VolumeInfo setRetention(Principal caller, String volume, Duration retention) {
        requireAdmin(caller, "set volume retention");
        VolumeInfo v = healing.setVolumeRetention(volume, retention.toMillis());
        LOG.info("{} set retention of volume {} to {}", caller.user(), volume, retention.isZero() ? "forever" : retention);
        return v;
    }

    private static void requireAdmin(Principal caller, String what) {
        if (!caller.admin()) {
            throw new MetadataException(MetaError.ACCESS_DENIED, "only admins may " + what);
        }
    }
}
