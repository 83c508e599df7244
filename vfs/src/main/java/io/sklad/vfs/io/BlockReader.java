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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reads blocks by id: a small in-heap cache of recent plaintext blocks, then the on-disk {@link BlockCache},
 * then the replicas in order. Every block is verified (SHA-256 against its id, then the header); a replica
 * with bad bytes is reported to the master and the next one is tried; when all listed replicas fail the
 * master is asked again for live replicas (the block map may be stale). Concurrent reads of one block share
 * one fetch. Read-ahead runs on a small bounded pool and is dropped when that pool is busy.
 */
public final class BlockReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockReader.class);
    private static final long MEMORY_CACHE_BYTES = 32L * 1024 * 1024;

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
                }, new ThreadPoolExecutor.DiscardPolicy());
        readAhead.allowCoreThreadTimeOut(true);
    }

    /** The plaintext of a block, read-only; may be shorter than the block size (the rest is zeros). */
    public ByteBuffer read(BlockRef ref) throws IOException {
        ByteBuffer hit = recent.getIfPresent(ref.id());
        if (hit != null) {
            return hit.duplicate();
        }
        CompletableFuture<ByteBuffer> mine = new CompletableFuture<>();
        CompletableFuture<ByteBuffer> running = inFlight.putIfAbsent(ref.id(), mine);
        if (running != null) {
            return await(running).duplicate();
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

    /** Fetches a block in the background if it is not at hand; errors are left to the real read. */
    public void prefetch(BlockId knownId, RefSupplier ref) {
        if (knownId != null && (recent.getIfPresent(knownId) != null || inFlight.containsKey(knownId))) {
            return;
        }
        readAhead.execute(() -> {
            try {
                BlockRef r = ref.get();
                if (r != null && recent.getIfPresent(r.id()) == null) {
                    read(r);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("read-ahead failed: {}", e.toString());
            }
        });
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
                return copyOf(codec.openVerified(id, ByteBuffer.wrap(cached.get())));
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
                ByteBuffer plain = copyOf(codec.openVerified(id, ByteBuffer.wrap(stored)));
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

    private static ByteBuffer copyOf(ByteBuffer plain) {
        // the stored array also holds the header: keep only the plaintext in the heap cache
        ByteBuffer copy = ByteBuffer.allocate(plain.remaining());
        copy.put(plain.duplicate()).flip();
        return copy.asReadOnlyBuffer();
    }

    @Override
    public void close() {
        readAhead.shutdownNow();
        recent.invalidateAll();
    }
}
