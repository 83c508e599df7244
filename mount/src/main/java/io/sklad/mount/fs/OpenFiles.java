package io.sklad.mount.fs;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handle table of a mount: FUSE file handle ({@code fh}) to open {@link FileChannel}.
 * Closing it closes every channel still open, which is what happens on unmount: the kernel
 * does not send {@code release} for files open when the connection goes away.
 */
public final class OpenFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenFiles.class);

    private final ConcurrentHashMap<Long, OpenFile> files = new ConcurrentHashMap<>();
    // 0 is what an unset fh looks like; start above it so a missing handle is never found.
    private final AtomicLong nextHandle = new AtomicLong(1);

    /**
     * Registers an open channel and returns its handle.
     *
     * @param changed whether the file already differs from its last forced state (created or
     *                truncated on open), so the next {@code flush} forces it
     */
    public long add(FileChannel channel, boolean changed) {
        long fh = nextHandle.getAndIncrement();
        files.put(fh, new OpenFile(channel, changed));
        return fh;
    }

    /** The open file of a handle; {@link ClosedChannelException} (EBADF) when there is none. */
    public OpenFile get(long fh) throws ClosedChannelException {
        OpenFile file = files.get(fh);
        if (file == null) {
            throw new ClosedChannelException();
        }
        return file;
    }

    /** Removes a handle and closes its channel; an unknown handle is ignored. */
    public void release(long fh) throws IOException {
        OpenFile file = files.remove(fh);
        if (file != null) {
            file.channel().close();
        }
    }

    /** Number of handles open now. */
    public int size() {
        return files.size();
    }

    /** Closes every channel still open; failures are logged, the rest are still closed. */
    @Override
    public void close() {
        for (Long fh : files.keySet()) {
            try {
                release(fh);
            } catch (IOException | RuntimeException e) {
                log.warn("Closing file handle {} on unmount failed", fh, e);
            }
        }
    }
}
