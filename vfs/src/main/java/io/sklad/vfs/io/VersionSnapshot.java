package io.sklad.vfs.io;

import io.sklad.vfs.client.BlockRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.util.ArrayList;
import java.util.List;

/** A committed version of a file, read-only: what {@code openVersion} reads. */
public final class VersionSnapshot implements FileContent {

    private final BlockMapCache map;
    private final BlockReader reader;
    private final long size;
    private final int blockSize;

    public VersionSnapshot(io.sklad.vfs.client.MetadataClient metadata, BlockReader reader, String volume, long inode,
                           long version, long size, int blockSize) {
        this.map = new BlockMapCache(metadata, volume, inode, version);
        this.reader = reader;
        this.size = size;
        this.blockSize = blockSize;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position >= size) {
            return -1;
        }
        int total = 0;
        while (dst.hasRemaining() && position < size) {
            long index = position / blockSize;
            int offset = (int) (position % blockSize);
            int n = (int) Math.min(Math.min(blockSize - offset, dst.remaining()), size - position);
            BlockRef ref = map.ref(index);
            BlockBytes.copy(ref == null ? null : reader.read(ref), offset, n, dst);
            position += n;
            total += n;
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long position) {
        throw new NonWritableChannelException();
    }

    @Override
    public void setLength(long length) {
        throw new NonWritableChannelException();
    }

    @Override
    public void flush() {
    }

    @Override
    public void readAhead(long position, int blocks) {
        long first = position / blockSize;
        long last = Math.min((size - 1) / blockSize, first + blocks - 1);
        List<BlockReader.Prefetch> wanted = new ArrayList<>();
        for (long i = first; i <= last; i++) {
            long index = i;
            wanted.add(new BlockReader.Prefetch(null, () -> map.ref(index)));
        }
        reader.prefetch(wanted);
    }
}
