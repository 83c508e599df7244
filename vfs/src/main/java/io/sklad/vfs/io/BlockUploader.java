package io.sklad.vfs.io;

import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.ChunkClient;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.client.SealedBlock;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.client.WorkerNode;
import io.sklad.vfs.codec.BlockCodec;
import io.sklad.vfs.placement.PlacementPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seals and stores batches of blocks for all open files of one file system.
 *
 * <p>A batch: seal every block (all-zero blocks become holes without storage); ask the master which ids it
 * already knows with at least R live replicas and skip those (dedup); place the rest by
 * {@link PlacementPolicy}; send one PutBlocks stream per target worker carrying all of that worker's blocks
 * of the batch, the workers in parallel; a worker that fails or does not acknowledge a block is replaced by
 * the next node in that block's rendezvous order. A block is done with R acknowledgements, and acceptable
 * with {@code min(R, write_quorum)}; fewer fails the batch with "not enough workers".
 *
 * <p>Batches run on {@code parallelism} threads. The bytes of batches queued or running are bounded by a
 * budget: {@link #submit} blocks the writer while the budget is used up, so writing never outruns the
 * network by more than the budget.
 */
public final class BlockUploader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockUploader.class);
    private static final long LIVE_NODES_TTL_MILLIS = 5_000;
    /** Target bytes per batch (and so per PutBlocks stream of one worker at most). */
    static final int BATCH_BYTES = 2 * 1024 * 1024;

    private final MetadataClient metadata;
    private final ChunkClient chunks;
    private final BlockCodec codec;
    private final PlacementPolicy placement;
    private final ExecutorService pool;
    private final Semaphore budgetKiB;
    private final int totalKiB;
    private final Object nodesLock = new Object();
    private List<WorkerNode> liveNodes;
    private long liveNodesAt;

    public BlockUploader(MetadataClient metadata, ChunkClient chunks, BlockCodec codec, PlacementPolicy placement,
                         int parallelism) {
        this.metadata = metadata;
        this.chunks = chunks;
        this.codec = codec;
        this.placement = placement;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "sklad-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // room for every upload thread to hold one batch and one more queued behind it
        this.totalKiB = Math.max(8 * 1024, 2 * parallelism * (BATCH_BYTES / 1024));
        this.budgetKiB = new Semaphore(totalKiB);
    }

    /** Blocks per batch for a block size: about {@link #BATCH_BYTES}, at least one. */
    static int batchBlocks(int blockSize) {
        return Math.max(1, Math.min(64, BATCH_BYTES / blockSize));
    }

    /**
     * Queues a batch; blocks the caller while the in-flight budget is used up.
     *
     * @return the uploaded blocks by index
     */
    CompletableFuture<Map<Long, UploadedBlock>> submit(VolumeInfo volume, List<PendingBlock> blocks)
            throws InterruptedIOException {
        long bytes = blocks.stream().mapToLong(b -> b.plaintext().remaining()).sum();
        int kib = (int) Math.min(totalKiB, Math.max(1, (bytes + 1023) / 1024));
        try {
            budgetKiB.acquire(kib);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for upload room");
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return upload(volume, blocks);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, pool).whenComplete((r, e) -> budgetKiB.release(kib));
        } catch (RuntimeException e) {
            budgetKiB.release(kib);
            throw e;
        }
    }

    /** Uploads a batch in the calling thread. */
    Map<Long, UploadedBlock> upload(VolumeInfo volume, List<PendingBlock> blocks) throws IOException {
        Map<Long, UploadedBlock> result = new HashMap<>();
        Map<BlockId, SealedBlock> sealed = new LinkedHashMap<>();
        Map<Long, BlockId> idOfIndex = new HashMap<>();
        for (PendingBlock b : blocks) {
            if (BlockCodec.isZero(b.plaintext())) {
                result.put(b.index(), UploadedBlock.hole());
                continue;
            }
            SealedBlock s = codec.seal(b.plaintext());
            sealed.putIfAbsent(s.id(), s);
            idOfIndex.put(b.index(), s.id());
        }
        Map<BlockId, UploadedBlock> stored = store(volume, sealed);
        idOfIndex.forEach((index, id) -> result.put(index, stored.get(id)));
        return result;
    }

    private Map<BlockId, UploadedBlock> store(VolumeInfo volume, Map<BlockId, SealedBlock> sealed)
            throws IOException {
        Map<BlockId, UploadedBlock> done = new HashMap<>();
        if (sealed.isEmpty()) {
            return done;
        }
        int replicas = Math.max(1, volume.replicas());
        for (BlockRef known : metadata.findBlocks(sealed.keySet())) {
            SealedBlock s = sealed.get(known.id());
            if (s != null && known.replicas().size() >= replicas) {
                done.put(known.id(), new UploadedBlock(known.id(), s.length(), known.replicas()));
            }
        }
        Map<BlockId, SealedBlock> toPut = new LinkedHashMap<>(sealed);
        toPut.keySet().removeAll(done.keySet());
        if (toPut.isEmpty()) {
            log.debug("batch of {} blocks fully deduplicated", sealed.size());
            return done;
        }
        List<WorkerNode> nodes = liveNodes(false);
        Map<BlockId, List<WorkerNode>> rank = new HashMap<>();
        Map<BlockId, LinkedHashSet<WorkerNode>> acks = new HashMap<>();
        Map<BlockId, Set<String>> tried = new HashMap<>();
        for (BlockId id : toPut.keySet()) {
            rank.put(id, placement.rank(id, nodes));
            acks.put(id, new LinkedHashSet<>());
            tried.put(id, new HashSet<>());
        }
        Set<String> failedNodes = new HashSet<>();
        while (true) {
            Map<WorkerNode, List<SealedBlock>> round = new LinkedHashMap<>();
            for (Map.Entry<BlockId, SealedBlock> e : toPut.entrySet()) {
                BlockId id = e.getKey();
                int want = replicas - acks.get(id).size();
                for (WorkerNode n : rank.get(id)) {
                    if (want <= 0) {
                        break;
                    }
                    if (failedNodes.contains(n.nodeId()) || !tried.get(id).add(n.nodeId())) {
                        continue;
                    }
                    round.computeIfAbsent(n, k -> new ArrayList<>()).add(e.getValue());
                    want--;
                }
            }
            if (round.isEmpty()) {
                break;
            }
            Map<WorkerNode, CompletableFuture<Set<BlockId>>> calls = new LinkedHashMap<>();
            round.forEach((node, batch) -> calls.put(node, chunks.putBlocks(node.address(), batch)));
            for (Map.Entry<WorkerNode, CompletableFuture<Set<BlockId>>> call : calls.entrySet()) {
                WorkerNode node = call.getKey();
                try {
                    Set<BlockId> ok = call.getValue().get();
                    for (SealedBlock s : round.get(node)) {
                        if (ok.contains(s.id())) {
                            acks.get(s.id()).add(node);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while uploading");
                } catch (ExecutionException e) {
                    failedNodes.add(node.nodeId());
                    log.warn("worker {} ({}) failed a batch of {} blocks, trying the next nodes: {}",
                            node.nodeId(), node.address(), round.get(node).size(), e.getCause().toString());
                }
            }
        }
        if (!failedNodes.isEmpty()) {
            liveNodes(true);
        }
        int required = Math.min(volume.requiredAcks(), replicas);
        for (Map.Entry<BlockId, SealedBlock> e : toPut.entrySet()) {
            List<WorkerNode> got = List.copyOf(acks.get(e.getKey()));
            if (got.size() < required) {
                throw new IOException("not enough workers for block " + e.getKey().shortHex() + ": "
                        + got.size() + " of " + required + " required copies acknowledged (" + nodes.size()
                        + " live workers, " + failedNodes.size() + " failed)");
            }
            done.put(e.getKey(), new UploadedBlock(e.getKey(), e.getValue().length(), got));
        }
        return done;
    }

    private List<WorkerNode> liveNodes(boolean refresh) throws IOException {
        synchronized (nodesLock) {
            long now = System.currentTimeMillis();
            if (refresh || liveNodes == null || now - liveNodesAt > LIVE_NODES_TTL_MILLIS) {
                liveNodes = metadata.liveNodes();
                liveNodesAt = now;
            }
            return liveNodes;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
