package io.sklad.vfs.io;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.ChunkClient;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.client.WorkerNode;
import io.sklad.vfs.codec.BlockCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reads blocks by id: a small in-heap cache of recent plaintext blocks (and a {@link ReadAheadBuffer} of blocks
 * fetched ahead and not read yet), then the on-disk {@link BlockCache},
 * then the replicas in order. Every block is verified (SHA-256 against its id, then the header); a replica
 * with bad bytes is reported to the master and the next one is tried; when all listed replicas fail the
 * master is asked again for live replicas (the block map may be stale). Concurrent reads of one block share
 * one fetch. Read-ahead runs on a small bounded pool and is dropped when that pool is busy; it fetches runs of
 * blocks from one worker in one call. The heap cache holds the opened plaintext as a view into the stored
 * array (the header's 16 bytes more than needed), not a copy of each block.
 */
public final class BlockReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockReader.class);
    private static final long MEMORY_CACHE_BYTES = 32L * 1024 * 1024;
    /** Room for the read-ahead windows (8 MiB) of a few sequential readers. */
    private static final long READ_AHEAD_BUFFER_BYTES = 32L * 1024 * 1024;
    /** Stored bytes per read-ahead call to one worker: a few calls per read-ahead window, bounded memory. */
    private static final long RUN_BYTES = 1024 * 1024;

    /** Supplies the ref of a block to prefetch (resolving it may need the master). */
    @FunctionalInterface
    public interface RefSupplier {
        BlockRef get() throws IOException;
    }

    private final MetadataClient metadata;
    private final ChunkClient chunks;
    private final BlockCodec codec;
    private final BlockCache diskCache;
    private final Cache<BlockId, ByteBuffer> recent;
    private final ReadAheadBuffer ahead = new ReadAheadBuffer(READ_AHEAD_BUFFER_BYTES);
    private final Map<BlockId, CompletableFuture<ByteBuffer>> inFlight = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor readAhead;

    public BlockReader(MetadataClient metadata, ChunkClient chunks, BlockCodec codec, BlockCache diskCache) {
        this.metadata = metadata;
        this.chunks = chunks;
        this.codec = codec;
        this.diskCache = diskCache;
        this.recent = Caffeine.newBuilder().maximumWeight(MEMORY_CACHE_BYTES)
                .weigher((BlockId id, ByteBuffer b) -> Math.max(1, b.capacity())).build();
        // enough fetches in flight to hide a round trip per block; the 32 MiB heap cache holds what they bring
        this.readAhead = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(512),
                r -> {
                    Thread t = new Thread(r, "sklad-read-ahead");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        readAhead.allowCoreThreadTimeOut(true);
    }

    /** The plaintext of a block, read-only; may be shorter than the block size (the rest is zeros). */
    public ByteBuffer read(BlockRef ref) throws IOException {
        while (true) {
            ByteBuffer hit = cached(ref.id());
            if (hit != null) {
                return hit.duplicate();
            }
            CompletableFuture<ByteBuffer> mine = new CompletableFuture<>();
            CompletableFuture<ByteBuffer> running = inFlight.putIfAbsent(ref.id(), mine);
            if (running != null) {
                ByteBuffer fetched = await(running);
                if (fetched != null) {
                    if (ahead.take(ref.id()) != null) {
                        recent.put(ref.id(), fetched);
                    }
                    return fetched.duplicate();
                }
                continue; // a read-ahead that did not get this block (it left inFlight first): read it here
            }
            try {
                ByteBuffer plain = load(ref);
                recent.put(ref.id(), plain);
                mine.complete(plain);
                return plain.duplicate();
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(ref.id(), mine);
            }
        }
    }

    /** The block from the heap cache, or its first read from the read-ahead buffer (then it moves to the cache). */
    private ByteBuffer cached(BlockId id) {
        ByteBuffer hit = recent.getIfPresent(id);
        if (hit == null) {
            hit = ahead.take(id);
            if (hit != null) {
                recent.put(id, hit);
            }
        }
        return hit;
    }

    private boolean atHand(BlockId id) {
        return recent.getIfPresent(id) != null || ahead.contains(id) || inFlight.containsKey(id);
    }

    /** A block to read ahead: its id when known without asking the master (else null), and how to get its ref. */
    public record Prefetch(BlockId knownId, RefSupplier ref) {
    }

    /** A block a read-ahead call will bring: readers of it wait for {@code fetched} instead of fetching it too. */
    private record Claim(BlockRef ref, CompletableFuture<ByteBuffer> fetched) {
    }

    /**
     * Fetches blocks in the background that are not at hand; errors are left to the real read. The blocks are
     * claimed here, before this returns, so the reader that asked never races the read-ahead for them; they go
     * in runs per worker (the first replica of each), one GetBlocks call per run: a call per block cost more
     * CPU in gRPC than the block's bytes did. Resolving a ref may ask the master for a page of the block map.
     */
    public void prefetch(List<Prefetch> blocks) {
        Map<String, List<Claim>> byWorker = new LinkedHashMap<>();
        for (Prefetch p : blocks) {
            if (p.knownId() != null && atHand(p.knownId())) {
                continue;
            }
            BlockRef r;
            try {
                r = p.ref().get();
            } catch (IOException | RuntimeException e) {
                log.debug("read-ahead failed: {}", e.toString());
                break; // the master is likely away: one timeout for the reader, not one per block
            }
            if (r == null || r.replicas().isEmpty() || recent.getIfPresent(r.id()) != null || ahead.contains(r.id())) {
                continue;
            }
            CompletableFuture<ByteBuffer> f = new CompletableFuture<>();
            if (inFlight.putIfAbsent(r.id(), f) == null) {
                byWorker.computeIfAbsent(r.replicas().get(0).address(), a -> new ArrayList<>()).add(new Claim(r, f));
            }
        }
        byWorker.forEach((address, claims) -> {
            int from = 0;
            long bytes = 0;
            for (int i = 0; i < claims.size(); i++) {
                if (i > from && bytes + claims.get(i).ref().storedLength() > RUN_BYTES) {
                    submit(address, claims.subList(from, i));
                    from = i;
                    bytes = 0;
                }
                bytes += claims.get(i).ref().storedLength();
            }
            submit(address, claims.subList(from, claims.size()));
        });
    }

    private void submit(String address, List<Claim> run) {
        try {
            readAhead.execute(new RunFetch(address, run));
        } catch (RejectedExecutionException busy) {
            release(run); // the pool is full (or closed): the readers fetch these blocks themselves
        }
    }

    /** A queued run: a named task, so closing can release the claims of runs that never started. */
    private final class RunFetch implements Runnable {
        private final String address;
        private final List<Claim> run;

        RunFetch(String address, List<Claim> run) {
            this.address = address;
            this.run = run;
        }

        @Override
        public void run() {
            fetchRun(address, run);
        }
    }

    /**
     * One GetBlocks call for a run of claimed blocks on one worker. Blocks the call does not bring (not served,
     * bad bytes, the call failed) are released with null, and their readers load them the usual way — trying
     * every replica and reporting bad ones.
     */
    private void fetchRun(String address, List<Claim> run) {
        Map<BlockId, CompletableFuture<ByteBuffer>> claimed = new LinkedHashMap<>();
        run.forEach(c -> claimed.put(c.ref().id(), c.fetched()));
        try {
            chunks.getBlocks(address, List.copyOf(claimed.keySet()), (id, stored) -> {
                CompletableFuture<ByteBuffer> f = claimed.get(id);
                ByteBuffer plain;
                try {
                    plain = codec.openVerified(id, ByteBuffer.wrap(stored));
                } catch (IOException bad) {
                    return; // released below: the reader's own load reports this copy and tries the next
                }
                diskCache.put(id, stored);
                ahead.put(id, plain);
                inFlight.remove(id, f);
                f.complete(plain);
            });
        } catch (IOException | RuntimeException e) {
            log.debug("read-ahead of {} blocks from {} failed: {}", run.size(), address, e.toString());
        } finally {
            release(run);
        }
    }

    /** Gives up claims not fulfilled (a no-op for fetched ones): waiting readers then read those blocks. */
    private void release(List<Claim> run) {
        for (Claim c : run) {
            inFlight.remove(c.ref().id(), c.fetched());
            c.fetched().complete(null);
        }
    }

    private static ByteBuffer await(CompletableFuture<ByteBuffer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a block");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private ByteBuffer load(BlockRef ref) throws IOException {
        BlockId id = ref.id();
        var cached = diskCache.get(id);
        if (cached.isPresent()) {
            try {
                return codec.openVerified(id, ByteBuffer.wrap(cached.get()));
            } catch (IOException e) {
                log.warn("cached block {} is bad, dropping it: {}", id.shortHex(), e.getMessage());
                diskCache.invalidate(id);
            }
        }
        Set<String> tried = new HashSet<>();
        List<String> failures = new ArrayList<>();
        ByteBuffer plain = fromReplicas(id, ref.replicas(), tried, failures);
        if (plain == null) {
            // the map's replica list may be stale (a worker died, repair moved the block): ask again
            List<WorkerNode> fresh = new ArrayList<>();
            for (BlockRef found : metadata.findBlocks(List.of(id))) {
                fresh.addAll(found.replicas());
            }
            plain = fromReplicas(id, fresh, tried, failures);
        }
        if (plain == null) {
            throw new IOException("block " + id + " could not be read from any replica ("
                    + (failures.isEmpty() ? "no live replicas" : String.join("; ", failures)) + ")");
        }
        return plain;
    }

    private ByteBuffer fromReplicas(BlockId id, List<WorkerNode> replicas, Set<String> tried, List<String> failures) {
        for (WorkerNode node : replicas) {
            if (!tried.add(node.nodeId().isEmpty() ? node.address() : node.nodeId())) {
                continue;
            }
            byte[] stored;
            try {
                stored = chunks.getBlock(node.address(), id);
            } catch (IOException e) {
                failures.add(node.address() + ": " + e.getMessage());
                if (e instanceof FileSystemException fse && fse.getReason() != null
                        && fse.getReason().startsWith(SkladReasons.CORRUPT)) {
                    report(id, node, "worker reports corrupt: " + e.getMessage());
                } else {
                    log.debug("block {} not readable from {}: {}", id.shortHex(), node.address(), e.toString());
                }
                continue;
            }
            try {
                ByteBuffer plain = codec.openVerified(id, ByteBuffer.wrap(stored));
                diskCache.put(id, stored);
                return plain;
            } catch (IOException bad) {
                failures.add(node.address() + ": " + bad.getMessage());
                report(id, node, bad.getMessage());
            }
        }
        return null;
    }

    private void report(BlockId id, WorkerNode node, String reason) {
        log.warn("bad replica of block {} on {} ({}): {}", id.shortHex(), node.nodeId(), node.address(), reason);
        try {
            metadata.reportBadReplica(id, node.nodeId(), reason);
        } catch (IOException e) {
            log.warn("could not report bad replica of {} on {}: {}", id.shortHex(), node.nodeId(), e.toString());
        }
    }

    @Override
    public void close() {
        for (Runnable never : readAhead.shutdownNow()) {
            if (never instanceof RunFetch f) {
                release(f.run);
            }
        }
        recent.invalidateAll();
        ahead.clear();
    }
}
