package io.sklad.mount.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open FUSE file handle: the channel and whether it was changed since it was last forced.
 * The flag lets {@code flush} (called on every {@code close(2)}) skip files that were only read.
 */
public final class OpenFile {

    private final FileChannel channel;
    private final AtomicBoolean changed;

    OpenFile(FileChannel channel, boolean changed) {
        this.channel = channel;
        this.changed = new AtomicBoolean(changed);
    }

    /** The channel; positional reads and writes on it are safe from concurrent callbacks. */
    public FileChannel channel() {
        return channel;
    }

    void markChanged() {
        changed.set(true);
    }

    /**
     * Forces the channel if anything changed since the last force. The flag is cleared before
     * forcing so a write racing with the force marks the file again instead of being lost.
     */
    void forceIfChanged() throws IOException {
        if (changed.getAndSet(false)) {
            try {
                channel.force(true);
            } catch (IOException | RuntimeException e) {
                changed.set(true);
                throw e;
            }
        }
    }

    void force() throws IOException {
        changed.set(false);
        try {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            changed.set(true);
            throw e;
        }
    }
}
