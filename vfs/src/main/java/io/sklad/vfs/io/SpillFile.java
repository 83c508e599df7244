package io.sklad.vfs.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * Dirty blocks of one open file on local disk, in block-sized slots of a sparse file. A slot is freed once
 * its block is uploaded and reused by the next dirty block, so a long sequential write keeps only the blocks
 * not yet uploaded here. Not thread-safe: the owning {@link OpenFile} guards it with its state lock.
 */
final class SpillFile implements AutoCloseable {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path path;
    private final int blockSize;
    private final FileChannel channel;
    private final Deque<Integer> free = new ArrayDeque<>();
    private int nextSlot;

    SpillFile(Path dir, int blockSize) throws IOException {
        Files.createDirectories(dir);
        this.path = dir.resolve(UUID.randomUUID() + ".spill");
        this.blockSize = blockSize;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.SPARSE, StandardOpenOption.DELETE_ON_CLOSE);
    }

    /** A slot whose content is undefined: the caller writes (or zeroes) what it needs. */
    int allocate() {
        Integer slot = free.pollFirst();
        return slot != null ? slot : nextSlot++;
    }

    void free(int slot) {
        free.addFirst(slot);
    }

    int slotsInUse() {
        return nextSlot - free.size();
    }

    void write(int slot, int offset, ByteBuffer src) throws IOException {
        long pos = (long) slot * blockSize + offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    /** Reads exactly {@code dst.remaining()} bytes of a slot from offset. */
    void read(int slot, int offset, ByteBuffer dst) throws IOException {
        long pos = (long) slot * blockSize + offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                // past the end of the sparse file: never written, so zeros
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    void zero(int slot, int from, int to) throws IOException {
        int at = from;
        while (at < to) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit(Math.min(z.capacity(), to - at));
            int n = z.remaining();
            write(slot, at, z);
            at += n;
        }
    }

    /**
     * Keeps the slots' bytes under {@code target} (a hard link, or a copy where links are not possible) so they
     * survive {@link #close()}; used when changes could not be committed.
     */
    void keepAs(Path target) throws IOException {
        channel.force(false);
        try {
            Files.createLink(target, path);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(path, target);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }
}
