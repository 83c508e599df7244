package io.sklad.vfs.io;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sklad.vfs.client.BlockId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stored block bytes on local disk, under {@code workDir/cache}, with a size-weighted Caffeine (W-TinyLFU)
 * index. Blocks are immutable and addressed by content, so entries never need invalidation; a file that
 * does not verify is dropped by the reader.
 *
 * <p>Each put writes a file with a unique name ({@code <id>-<n>.blk}, via a temp file and an atomic move):
 * eviction deletes exactly the file of the evicted entry, so a concurrent re-put of the same id is never
 * deleted by a late removal. On start the files already there are indexed again.
 */
public final class BlockCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockCache.class);
    private static final String SUFFIX = ".blk";

    private record CachedFile(Path path, int length) {
    }

    private final Path dir;
    private final Cache<BlockId, CachedFile> index;
    private final AtomicLong sequence = new AtomicLong();
    private final boolean enabled;

    /** @param maxBytes 0 disables the cache */
    public BlockCache(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.enabled = maxBytes > 0;
        this.index = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, maxBytes))
                .weigher((BlockId id, CachedFile f) -> Math.max(1, f.length()))
                .executor(Runnable::run)
                .removalListener((BlockId id, CachedFile f, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (f != null) {
                        deleteQuietly(f.path());
                    }
                })
                .build();
        if (enabled) {
            Files.createDirectories(dir);
            reindex();
        }
    }

    /** The stored bytes of a cached block, if present. */
    public Optional<byte[]> get(BlockId id) {
        if (!enabled) {
            return Optional.empty();
        }
        CachedFile f = index.getIfPresent(id);
        if (f == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(f.path()));
        } catch (NoSuchFileException e) {
            index.asMap().remove(id, f);
            return Optional.empty();
        } catch (IOException e) {
            log.warn("block cache read of {} failed: {}", id.shortHex(), e.toString());
            invalidate(id);
            return Optional.empty();
        }
    }

    /** Caches stored bytes (already verified by the caller). Failures only cost a future miss. */
    public void put(BlockId id, byte[] stored) {
        if (!enabled || index.getIfPresent(id) != null) {
            return;
        }
        Path target = dir.resolve(id.hex() + "-" + sequence.incrementAndGet() + SUFFIX);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            Files.write(tmp, stored);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            index.put(id, new CachedFile(target, stored.length));
        } catch (IOException e) {
            log.warn("block cache write of {} failed: {}", id.shortHex(), e.toString());
            deleteQuietly(tmp);
            deleteQuietly(target);
        }
    }

    /** Drops a block (bad bytes on disk). */
    public void invalidate(BlockId id) {
        index.invalidate(id);
    }

    /** Bytes the index holds now. */
    public long weightedSize() {
        return index.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    private void reindex() throws IOException {
        long count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                int dash = name.indexOf('-');
                if (!name.endsWith(SUFFIX) || dash != BlockId.LENGTH * 2) {
                    deleteQuietly(p);
                    continue;
                }
                try {
                    BlockId id = new BlockId(name.substring(0, dash));
                    long seq = Long.parseLong(name.substring(dash + 1, name.length() - SUFFIX.length()));
                    sequence.accumulateAndGet(seq, Math::max);
                    CachedFile old = index.asMap().put(id, new CachedFile(p, (int) Files.size(p)));
                    if (old != null) {
                        deleteQuietly(old.path());
                    }
                    count++;
                } catch (IllegalArgumentException e) {
                    deleteQuietly(p);
                }
            }
        }
        index.cleanUp();
        log.debug("block cache {}: {} blocks indexed", dir, count);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", p, e.toString());
        }
    }

    @Override
    public void close() {
        index.cleanUp();
    }
}
