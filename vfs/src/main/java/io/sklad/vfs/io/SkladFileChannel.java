package io.sklad.vfs.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileChannel} over {@link FileContent}: its own position, the open options' access checks, and
 * sequential-read detection that triggers read-ahead. Closing runs the close action (commit and release),
 * telling it whether this channel has changes of its own that are not committed yet: several channels share
 * one open file, and closing one that changed nothing must not commit what another is still writing.
 */
public final class SkladFileChannel extends FileChannel {

    /** What closing the channel does (flush, release the open file, delete on close). */
    @FunctionalInterface
    public interface CloseAction {
        /** @param ownChangesPending this channel changed the content since the last commit */
        void close(boolean ownChangesPending) throws IOException;
    }

    private static final int READ_AHEAD_BLOCKS = 4;
    /** Sequential readers get this much fetched ahead (in parallel): one block at a time is one round trip each. */
    private static final long READ_AHEAD_BYTES = 8L << 20;
    private static final int TRANSFER_CHUNK = 256 * 1024;

    private final FileContent content;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    private final CloseAction onClose;
    private long position;
    private long lastReadEnd = -1;
    private long readAheadUpTo = -1;
    /** {@link FileContent#changes()} after this channel's last change; 0 = it changed nothing. */
    private final AtomicLong ownChanges = new AtomicLong();

    public SkladFileChannel(FileContent content, boolean readable, boolean writable, boolean append,
                            CloseAction onClose) {
        this(content, readable, writable, append, false, onClose);
    }

    /** @param changedOnOpen the open itself changed the content (truncated it): that change is this channel's */
    public SkladFileChannel(FileContent content, boolean readable, boolean writable, boolean append,
                            boolean changedOnOpen, CloseAction onClose) {
        this.content = content;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
        this.onClose = onClose;
        if (changedOnOpen) {
            changed();
        }
    }

    private void changed() {
        long now = content.changes();
        ownChanges.accumulateAndGet(now, Math::max);
    }

    /** True when this channel changed the content and not all of its changes are committed yet. */
    public boolean hasOwnUncommittedChanges() {
        long mark = ownChanges.get();
        return writable && mark > 0 && content.uncommitted(mark);
    }

    private void checkOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void checkReadable() throws ClosedChannelException {
        checkOpen();
        if (!readable) {
            throw new NonReadableChannelException();
        }
    }

    private void checkWritable() throws ClosedChannelException {
        checkOpen();
        if (!writable) {
            throw new NonWritableChannelException();
        }
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        checkReadable();
        int n = readAt(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        checkReadable();
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = readAt(dsts[i], position);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            position += n;
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        if (pos < 0) {
            throw new IllegalArgumentException("negative position");
        }
        checkReadable();
        return readAt(dst, pos);
    }

    private int readAt(ByteBuffer dst, long pos) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int bs = content.blockSize();
        if (dst.remaining() > bs) {
            // a read spanning several blocks fetches them in parallel, not one round trip after another
            content.readAhead(pos, (dst.remaining() + bs - 1) / bs + 1);
        }
        int n = content.read(dst, pos);
        if (n > 0) {
            maybeReadAhead(pos, pos + n);
        }
        return n;
    }

    private synchronized void maybeReadAhead(long start, long end) {
        boolean sequential = start == lastReadEnd;
        lastReadEnd = end;
        if (!sequential) {
            return;
        }
        int bs = content.blockSize();
        int window = (int) Math.max(READ_AHEAD_BLOCKS, READ_AHEAD_BYTES / bs);
        long nextBlockStart = ((end + bs - 1) / bs) * bs;
        if (nextBlockStart + (long) bs * (window / 2) <= readAheadUpTo) {
            return; // still well ahead of the reader
        }
        long from = Math.max(nextBlockStart, readAheadUpTo);
        content.readAhead(from, window);
        readAheadUpTo = from + (long) bs * window;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        checkWritable();
        if (append) {
            position = content.size();
        }
        int n = content.write(src, position);
        changed();
        position += n;
        return n;
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkWritable();
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        if (pos < 0) {
            throw new IllegalArgumentException("negative position");
        }
        checkWritable();
        int n = content.write(src, pos);
        changed();
        return n;
    }

    @Override
    public synchronized long position() throws IOException {
        checkOpen();
        return position;
    }

    @Override
    public synchronized FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        checkOpen();
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        checkOpen();
        return content.size();
    }

    @Override
    public synchronized FileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        checkWritable();
        if (size < content.size()) {
            content.setLength(size);
            changed();
        }
        if (position > size) {
            position = size;
        }
        return this;
    }

    /** Sets the length either way: shorter cuts, longer appends zeros (FUSE truncate, SFTP setstat size). */
    public synchronized void setLength(long length) throws IOException {
        checkWritable();
        content.setLength(length);
        changed();
    }

    @Override
    public void force(boolean metaData) throws IOException {
        checkOpen();
        if (writable) {
            content.flush();
        }
    }

    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        checkReadable();
        long done = 0;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(1, count)));
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = content.read(buf, pos + done);
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                target.write(buf);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        checkWritable();
        long done = 0;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(1, count)));
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = src.read(buf);
            if (n <= 0) {
                break;
            }
            buf.flip();
            content.write(buf, pos + done);
            changed();
            done += n;
        }
        return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) {
        throw new UnsupportedOperationException("memory mapping is not supported by Sklad");
    }

    @Override
    public FileLock lock(long pos, long size, boolean shared) throws IOException {
        return tryLock(pos, size, shared);
    }

    @Override
    public FileLock tryLock(long pos, long size, boolean shared) throws IOException {
        checkOpen();
        if (shared && !readable) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writable) {
            throw new NonWritableChannelException();
        }
        // Advisory locks stay local to this channel: cross-agent exclusion is the master's leases' job.
        return new FileLock(this, pos, size, shared) {
            private volatile boolean valid = true;

            @Override
            public boolean isValid() {
                return valid && channel().isOpen();
            }

            @Override
            public void release() {
                valid = false;
            }
        };
    }

    @Override
    protected void implCloseChannel() throws IOException {
        onClose.close(hasOwnUncommittedChanges());
    }
}
