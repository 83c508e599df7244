package io.sklad.vfs.io;

import io.sklad.vfs.client.BlockMapPage;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.MetadataClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The block map of one committed file version, fetched from the master in ranges on first use and kept
 * for the life of the open file (a committed version never changes).
 */
final class BlockMapCache {

    static final int RANGE = 4096;

    private final MetadataClient metadata;
    private final String volume;
    private final long inode;
    private final long version;
    private final Map<Long, Map<Long, BlockRef>> ranges = new ConcurrentHashMap<>();

    BlockMapCache(MetadataClient metadata, String volume, long inode, long version) {
        this.metadata = metadata;
        this.volume = volume;
        this.inode = inode;
        this.version = version;
    }

    long version() {
        return version;
    }

    /** The block at index, or null for a hole. */
    BlockRef ref(long index) throws IOException {
        long range = index / RANGE;
        try {
            return ranges.computeIfAbsent(range, this::load).get(index);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private Map<Long, BlockRef> load(long range) {
        try {
            BlockMapPage page = metadata.getBlockMap(volume, inode, version, range * RANGE, RANGE);
            Map<Long, BlockRef> refs = new HashMap<>();
            for (BlockRef r : page.blocks()) {
                refs.put(r.index(), r);
            }
            return refs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
