package io.sklad.vfs.io;

import io.sklad.vfs.client.BlockId;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blocks fetched ahead of their reader, each kept until its first read; bounded in bytes, the oldest dropped
 * first (their reader went away). Not the heap cache: Caffeine's TinyLFU admission turns away entries seen once,
 * which every read-ahead block is, so it dropped most of them before their reader came — and the reader then
 * fetched each again with a call of its own.
 */
final class ReadAheadBuffer {
    private final long maxBytes;
    private final LinkedHashMap<BlockId, ByteBuffer> blocks = new LinkedHashMap<>();
    private long bytes;

    ReadAheadBuffer(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized void put(BlockId id, ByteBuffer plain) {
        ByteBuffer old = blocks.put(id, plain);
        bytes += plain.capacity() - (old == null ? 0 : old.capacity());
        for (Iterator<Map.Entry<BlockId, ByteBuffer>> it = blocks.entrySet().iterator();
             bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().getValue().capacity();
            it.remove();
        }
    }

    /** Removes and returns the block, or null when it is not here. */
    synchronized ByteBuffer take(BlockId id) {
        ByteBuffer plain = blocks.remove(id);
        if (plain != null) {
            bytes -= plain.capacity();
        }
        return plain;
    }

    synchronized boolean contains(BlockId id) {
        return blocks.containsKey(id);
    }

    synchronized void clear() {
        blocks.clear();
        bytes = 0;
    }
}
