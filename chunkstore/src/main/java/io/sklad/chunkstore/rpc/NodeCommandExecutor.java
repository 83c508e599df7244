package io.sklad.chunkstore.rpc;

import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.proto.v1.CopyBlocksCommand;
import io.sklad.proto.v1.CopyBlocksResult;
import io.sklad.proto.v1.NodeCommand;
import io.sklad.proto.v1.ReplicateCommand;
import io.sklad.proto.v1.ReplicationResult;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
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
    private final Set<Long> queuedTasks = ConcurrentHashMap.newKeySet();
    private final Queue<ReplicationResult> results = new ConcurrentLinkedQueue<>();
    private final Queue<CopyBlocksResult> copies = new ConcurrentLinkedQueue<>();
    private final Runnable resultReady;

    /**
     * Copies run on this many threads: a copy task is mostly waiting on the network and the target's fsync.
     * The master orders at most its tasks-per-node bound (4 by default) from one source at once.
     */
    static final int THREADS = 4;

    public NodeCommandExecutor(BlockStore store, GrpcPeerClient peers) {
        this(store, peers, () -> { });
    }

    /**
     * @param resultReady told (on the copying thread) when a copy task has ended, so the next heartbeat can carry
     *                    the result at once instead of after its interval
     */
    public NodeCommandExecutor(BlockStore store, GrpcPeerClient peers, Runnable resultReady) {
        this.store = store;
        this.peers = peers;
        this.resultReady = resultReady;
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
        if (command.hasCopyBlocks() && !queuedTasks.add(command.getCopyBlocks().getTaskId())) {
            return;
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
            case COPY_BLOCKS -> copyBlocks(command.getCopyBlocks());
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

    /**
     * One repair task: reads each block (verified) and streams it to the target in one PutBlocks call, which
     * the target acknowledges after one group fsync. A block this worker lacks or finds corrupt is reported
     * as source_missing; if the stream fails, every block sent in it is reported failed.
     */
    private void copyBlocks(CopyBlocksCommand command) {
        CopyBlocksResult.Builder result = CopyBlocksResult.newBuilder().setTaskId(command.getTaskId())
                .setTargetNodeId(command.getTargetNodeId());
        List<ByteString> sent = new ArrayList<>();
        long bytes = 0;
        long started = System.nanoTime();
        try (GrpcPeerClient.PeerPut put = peers.openPut(command.getTargetAddress())) {
            for (ByteString raw : command.getBlockIdsList()) {
                BlockId id = idOrNull(raw);
                if (id == null) {
                    continue;
                }
                byte[] data;
                try {
                    data = store.get(id);
                } catch (IOException e) {
                    log.warn("cannot copy block {}: {}", id, e.toString());
                    result.addSourceMissing(raw);
                    continue;
                }
                put.send(id, data);
                sent.add(raw);
                bytes += data.length;
            }
            Set<BlockId> stored = put.finish();
            for (ByteString raw : sent) {
                if (stored.contains(BlockId.of(raw.toByteArray()))) {
                    result.addCopied(raw);
                } else {
                    result.addFailed(raw);
                }
            }
            log.debug("copy task {}: {} blocks ({} bytes) to {} in {} ms", command.getTaskId(), sent.size(), bytes,
                    command.getTargetAddress(), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            result.clearCopied().clearFailed().addAllFailed(sent);
            // the blocks not read yet were never tried: failed too, so the master orders them again
            Set<ByteString> done = new HashSet<>(sent);
            done.addAll(result.getSourceMissingList());
            for (ByteString raw : command.getBlockIdsList()) {
                if (!done.contains(raw)) {
                    result.addFailed(raw);
                }
            }
            log.warn("copy task {} ({} blocks) to {} failed: {}", command.getTaskId(), command.getBlockIdsCount(),
                    command.getTargetAddress(), e.toString());
        } finally {
            queuedTasks.remove(command.getTaskId());
        }
        copies.add(result.build());
        resultReady.run();
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

    /** Removes and returns how the copy tasks finished since the last call went. */
    public List<CopyBlocksResult> takeCopyResults() {
        List<CopyBlocksResult> out = new ArrayList<>();
        CopyBlocksResult r;
        while ((r = copies.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    /** Puts copy results back that could not be sent: they go with the next heartbeat. */
    public void returnCopyResults(List<CopyBlocksResult> unsent) {
        copies.addAll(unsent);
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
