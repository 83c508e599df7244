package io.sklad.chunkstore.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One volume: a data file of appended blocks and its index file. Appends are serialised by the
 * store's append lock, which advances {@link #datEnd}/{@link #idxEnd} only once a write is
 * complete; reads are positional and run concurrently.
 *
 * <p>Group fsync: {@link #syncData(long)} / {@link #syncIndex(long)} force the file once for
 * every caller waiting at that moment. A caller that finds its bytes already covered by a force
 * that started after they were written returns without forcing again.
 */
final class Volume implements Closeable {
    final int number;
    final Path datPath;
    final Path idxPath;
    final FileChannel dat;
    final FileChannel idx;
    volatile long datEnd;
    volatile long idxEnd;
    private final GroupSync datSync;
    private final GroupSync idxSync;

    private Volume(int number, Path datPath, Path idxPath, FileChannel dat, FileChannel idx) throws IOException {
        this.number = number;
        this.datPath = datPath;
        this.idxPath = idxPath;
        this.dat = dat;
        this.idx = idx;
        this.datEnd = dat.size();
        this.idxEnd = idx.size();
        this.datSync = new GroupSync(dat);
        this.idxSync = new GroupSync(idx);
    }

    static String baseName(int number) {
        return String.format("vol-%06d", number);
    }

    static Volume open(Path dir, int number) throws IOException {
        return open(dir, number, true);
    }

    /**
     * Opens both files; {@code writable=false} opens existing files for reading only (a read-only
     * disk) and fails with {@link java.nio.file.NoSuchFileException} when one is missing.
     */
    static Volume open(Path dir, int number, boolean writable) throws IOException {
        Path datPath = dir.resolve(baseName(number) + ".dat");
        Path idxPath = dir.resolve(baseName(number) + ".idx");
        StandardOpenOption[] options = writable
                ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.READ};
        FileChannel dat = FileChannel.open(datPath, options);
        try {
            FileChannel idx = FileChannel.open(idxPath, options);
            return new Volume(number, datPath, idxPath, dat, idx);
        } catch (IOException | RuntimeException e) {
            dat.close();
            throw e;
        }
    }

    long fileBytes() {
        return datEnd + idxEnd;
    }

    void syncData(long upTo) throws IOException {
        datSync.syncUpTo(upTo, () -> datEnd);
    }

    void syncIndex(long upTo) throws IOException {
        idxSync.syncUpTo(upTo, () -> idxEnd);
    }

    /** Makes everything written so far durable. */
    void syncAll() throws IOException {
        syncData(datEnd);
        syncIndex(idxEnd);
    }

    @Override
    public void close() throws IOException {
        try (idx; dat) {
            // both closed, the first failure reported
        }
    }

    private static final class GroupSync {
        private final FileChannel channel;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile long synced;

        GroupSync(FileChannel channel) throws IOException {
            this.channel = channel;
            this.synced = channel.size();
        }

        void syncUpTo(long upTo, LongSupplier writtenEnd) throws IOException {
            if (synced >= upTo) {
                return;
            }
            lock.lock();
            try {
                if (synced >= upTo) {
                    return;
                }
                // Everything up to writtenEnd was complete before this force starts, so the force
                // covers it: the callers queued behind us find their bytes already durable.
                long end = Math.max(writtenEnd.getAsLong(), upTo);
                channel.force(false);
                synced = end;
            } finally {
                lock.unlock();
            }
        }
    }
}
