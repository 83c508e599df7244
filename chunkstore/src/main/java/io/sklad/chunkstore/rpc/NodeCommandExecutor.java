package io.sklad.chunkstore.rpc;

import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.proto.v1.NodeCommand;
import io.sklad.proto.v1.ReplicateCommand;
import io.sklad.proto.v1.ReplicationResult;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the master's {@link NodeCommand}s on a few background threads, so a slow copy never
 * delays a heartbeat. A replicate command already queued for the same block is not queued twice
 * (the master repeats commands until it sees them done). How each copy ended is kept for the next
 * heartbeat ({@link #takeResults()}): the master counts a copy once it hears the target acknowledged it.
 */
public final class NodeCommandExecutor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeCommandExecutor.class);

    private final BlockStore store;
    private final GrpcPeerClient peers;
    private final ExecutorService executor;
    private final Set<BlockId> queuedReplications = ConcurrentHashMap.newKeySet();
    private final Queue<ReplicationResult> results = new ConcurrentLinkedQueue<>();

    /** Copies run on this many threads: a copy is mostly waiting on the network and the target's fsync. */
    static final int THREADS = 4;

    public NodeCommandExecutor(BlockStore store, GrpcPeerClient peers) {
        this.store = store;
        this.peers = peers;
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "sklad-worker-commands");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a command; returns at once. */
    public void submit(NodeCommand command) {
        if (command.hasReplicate()) {
            BlockId id = idOrNull(command.getReplicate().getBlockId());
            if (id == null || !queuedReplications.add(id)) {
                return;
            }
        }
        try {
            executor.execute(() -> execute(command));
        } catch (RejectedExecutionException e) {
            log.debug("worker closing; command dropped");
        }
    }

    /** Runs a command on the calling thread; failures are logged, never thrown. */
    public void execute(NodeCommand command) {
        switch (command.getCommandCase()) {
            case DELETE -> delete(command.getDelete().getBlockIdsList());
            case REPLICATE -> replicate(command.getReplicate());
            default -> log.warn("unknown node command {}", command.getCommandCase());
        }
    }

    private void delete(List<ByteString> raw) {
        List<BlockId> ids = new ArrayList<>(raw.size());
        for (ByteString b : raw) {
            BlockId id = idOrNull(b);
            if (id != null) {
                ids.add(id);
            }
        }
        try {
            int n = store.delete(ids);
            log.info("deleted {} of {} blocks on the master's command", n, ids.size());
        } catch (IOException | RuntimeException e) {
            log.warn("deleting {} blocks failed: {}", ids.size(), e.toString());
        }
    }

    private void replicate(ReplicateCommand command) {
        BlockId id = idOrNull(command.getBlockId());
        if (id == null) {
            return;
        }
        try {
            byte[] data;
            try {
                data = store.get(id);
            } catch (IOException e) {
                // Missing or corrupt here: the master forgets this copy and picks another source.
                log.warn("cannot replicate block {}: {}", id, e.toString());
                for (int i = 0; i < command.getTargetAddressesCount(); i++) {
                    results.add(result(id, targetId(command, i)).setFailed(true).setSourceMissing(true).build());
                }
                return;
            }
            for (int i = 0; i < command.getTargetAddressesCount(); i++) {
                String target = command.getTargetAddresses(i);
                try {
                    peers.putBlock(target, id, data);
                    results.add(result(id, targetId(command, i)).build());
                    log.debug("replicated block {} to {}", id, target);
                } catch (IOException | RuntimeException e) {
                    results.add(result(id, targetId(command, i)).setFailed(true).build());
                    log.warn("replicating block {} to {} failed: {}", id, target, e.toString());
                }
            }
        } finally {
            queuedReplications.remove(id);
        }
    }

    private static ReplicationResult.Builder result(BlockId id, String targetNodeId) {
        return ReplicationResult.newBuilder().setBlockId(ByteString.copyFrom(id.toBytes())).setTargetNodeId(targetNodeId);
    }

    private static String targetId(ReplicateCommand command, int i) {
        return i < command.getTargetNodeIdsCount() ? command.getTargetNodeIds(i) : "";
    }

    /** Removes and returns how the copies finished since the last call went. */
    public List<ReplicationResult> takeResults() {
        List<ReplicationResult> out = new ArrayList<>();
        ReplicationResult r;
        while ((r = results.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    /** Puts results back that could not be sent (the heartbeat failed): they go with the next one. */
    public void returnResults(List<ReplicationResult> unsent) {
        results.addAll(unsent);
    }

    private static BlockId idOrNull(ByteString raw) {
        if (raw.size() != BlockId.BYTES) {
            log.warn("ignoring a command with a block id of {} bytes", raw.size());
            return null;
        }
        return BlockId.of(raw.toByteArray());
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
