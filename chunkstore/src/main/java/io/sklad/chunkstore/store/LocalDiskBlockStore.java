package io.sklad.chunkstore.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockStore} that appends blocks to large volume files ({@code dataDir/blocks/vol-NNNNNN.dat},
 * rolled past {@link DiskStoreConfig#volumeFileBytes()}) with an append-only index per volume
 * ({@code vol-NNNNNN.idx}, see {@link IndexFormat}), as Haystack and SeaweedFS volumes do: a
 * small block costs no file and no fsync of its own.
 *
 * <p><b>Durability.</b> A batch appends its blocks to the data file, forces it once, appends the
 * index records, forces the index once, and only then publishes the blocks to readers and
 * acknowledges. Concurrent batches share forces (group commit). An index record therefore never
 * points at data that was not durable first. On open the index is rebuilt from the index files; a
 * torn tail (short record or bad CRC, e.g. after a power cut) is truncated away, and entries that
 * point past the end of their data file are dropped and reported as corrupt.
 *
 * <p><b>Integrity.</b> The SHA-256 is checked on every put and every read. A block found corrupt on
 * read is taken out of the index (tombstoned) so that a good copy can be put again, and its id is
 * kept for the next heartbeat ({@link #corruptBlocks()}).
 *
 * <p><b>Deletes and compaction.</b> A delete appends a tombstone for that exact copy to the index of
 * the volume holding it and drops the block from memory; the bytes stay until {@link Compactor}
 * copies the volume's live blocks into the current volume and removes both of the old volume's
 * files, tombstones included. Copies always land in a higher-numbered volume than their source,
 * and replay reads volumes in ascending order with the later record winning, so after a crash
 * at any point of a compaction each block is live exactly once (see {@link Compactor}).
 *
 * <p><b>Moving blocks under readers.</b> Reads take no lock. A reader still holding the location of
 * a block whose volume compaction has just closed gets a {@link ClosedChannelException} and
 * retries at the block's new location (a stream continues there at the same position: the bytes
 * are the same).
 *
 * <p><b>Space.</b> When the configured capacity is used up, the disk's free space falls below
 * {@link #FREE_SPACE_RESERVE}, or a write to the disk fails (full, turned read-only), the store
 * switches to read-only: puts of new blocks fail with {@link ReadOnlyStoreException}, reads and
 * deletes go on. {@link #checkSpace()} (run periodically by the worker and after compaction)
 * leaves the mode once there is room again. A disk that is read-only (or cannot be opened for
 * writing) when the store opens is served read-only without writing a byte, until a restart.
 *
 * <p><b>Memory.</b> The index lives in heap: per block a {@link BlockId} (48 bytes), a
 * {@code Location} (32 bytes) and a hash map node with its table slot (about 40 bytes): roughly
 * 120 bytes per block, i.e. about 2 GiB of heap per 1 TiB of 64 KiB blocks.
 *
 * <p>Thread-safe. One store per data directory: a lock file keeps a second worker out, while
 * {@link #listBlockIds(Path)} reads the index files without that lock.
 */
public final class LocalDiskBlockStore implements BlockStore {
    private static final Logger log = LoggerFactory.getLogger(LocalDiskBlockStore.class);

    /** Directory under the data dir holding the volume files. */
    public static final String BLOCKS_DIR = "blocks";
    private static final String LOCK_FILE = "store.lock";
    private static final Pattern VOLUME_FILE = Pattern.compile("vol-(\\d{6})\\.(dat|idx)");
    private static final int STREAM_CHUNK = 64 * 1024;
    /** A reader retries at a block's new location at most this often (a block moves once per compaction). */
    private static final int MOVE_RETRIES = 3;

    /** Free disk space below which the store takes no new blocks: room for compaction and the system. */
    public static final long FREE_SPACE_RESERVE = 64L << 20;

    /** Where one block copy lives. */
    private record Location(int volume, long offset, int length) {
        static Location of(StoredBlock b) {
            return new Location(b.volume(), b.offset(), b.length());
        }

        StoredBlock holding(BlockId id) {
            return new StoredBlock(id, volume, offset, length);
        }
    }

    private enum ReadOnlyCause {
        /** The configured capacity is used up. */
        CAPACITY,
        /** The disk's free space is below the reserve. */
        DISK_SPACE,
        /** A write or fsync failed. */
        WRITE_FAILED,
        /** The disk could not be written when the store opened; nothing is ever written. */
        DISK_READ_ONLY;

        /** Compaction may still write: it gives space back, and the reserve is there for it. */
        boolean allowsCompaction() {
            return this == CAPACITY || this == DISK_SPACE;
        }
    }

    private record ReadOnlyState(ReadOnlyCause cause, String reason) {
    }

    /** The outcome of checking one block copy. */
    public enum Verdict {
        /** The bytes match the id. */
        GOOD,
        /** Bad bytes, cut short or unreadable: the copy was dropped and the id is reported. */
        CORRUPT,
        /** Deleted or moved since it was listed: nothing checked. */
        GONE
    }

    private final DiskStoreConfig config;
    private final DiskSpace disk;
    private final Path dir;
    /** False when the disk could not be written at open: every write path is then closed. */
    private final boolean diskWritable;
    private final FileChannel lockChannel; // null on a read-only disk without a lock file
    private final FileLock lock;
    private final ConcurrentHashMap<BlockId, Location> index = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Volume> volumes = new ConcurrentHashMap<>();
    private final Set<BlockId> corrupt = ConcurrentHashMap.newKeySet();
    private final AtomicLong liveBytes = new AtomicLong();
    /** Serialises appends to data and index files and volume rolls. */
    private final ReentrantLock appendLock = new ReentrantLock();
    private Volume current; // guarded by appendLock; null only on a read-only disk or after a failed create
    /** Appended copies not yet recorded in their index, per volume; guarded by appendLock. */
    private final Map<Integer, Integer> pendingAppends = new HashMap<>();
    private volatile ReadOnlyState readOnly;
    private volatile boolean closed;

    /** Opens (creating if needed) the store under {@code config.dataDir()/blocks}. */
    public LocalDiskBlockStore(DiskStoreConfig config) throws IOException {
        this(config, DiskSpace.system());
    }

    /**
     * Opens the store asking {@code disk} about free space and writability. A disk that is
     * read-only, or where the store's files cannot be opened for writing, gives a read-only store
     * that serves what it holds; a full disk or used-up capacity gives a read-only store that
     * leaves the mode when {@link #checkSpace()} finds room.
     */
    public LocalDiskBlockStore(DiskStoreConfig config, DiskSpace disk) throws IOException {
        this.config = config;
        this.disk = Objects.requireNonNull(disk, "disk");
        this.dir = config.dataDir().resolve(BLOCKS_DIR);
        boolean writable = probeWritable(dir, disk);
        Path lockPath = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        if (writable) {
            try {
                channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                log.warn("cannot open {} for writing ({}); serving the block store read-only", lockPath, e.toString());
                writable = false;
            }
        }
        if (!writable && Files.exists(lockPath)) {
            channel = FileChannel.open(lockPath, StandardOpenOption.READ);
        }
        FileLock l = null;
        if (channel != null) {
            try {
                // Shared when read-only: it still keeps out a worker that writes.
                l = channel.tryLock(0, Long.MAX_VALUE, !writable);
            } catch (OverlappingFileLockException e) {
                l = null;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (l == null) {
                channel.close();
                throw new FileSystemException(dir.toString(), null, "block store is in use by another worker");
            }
        }
        this.lockChannel = channel;
        this.lock = l;
        this.diskWritable = writable;
        try {
            load();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Creates the blocks directory; false when the disk cannot be written (the directory must exist then). */
    private static boolean probeWritable(Path dir, DiskSpace disk) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            log.warn("cannot write under {} ({}); serving the block store read-only", dir, e.toString());
            return false;
        }
        try {
            if (disk.readOnly(dir)) {
                log.warn("the disk holding {} is read-only; serving the block store read-only", dir);
                return false;
            }
        } catch (IOException e) {
            log.debug("cannot tell whether {} is on a read-only disk: {}", dir, e.toString());
        }
        return true;
    }

    private void load() throws IOException {
        List<Integer> numbers = volumeFileNumbers(dir);
        for (int n : numbers) {
            Volume v;
            try {
                v = Volume.open(dir, n, diskWritable);
            } catch (NoSuchFileException e) {
                // Only on a read-only disk (else the missing file is created): a compaction cut short.
                log.warn("volume {} in {} lacks {}; skipped while the disk is read-only", n, dir, e.getFile());
                continue;
            }
            volumes.put(n, v);
            replay(v);
        }
        dropEntriesPastDataEnd();
        if (!diskWritable) {
            readOnly = new ReadOnlyState(ReadOnlyCause.DISK_READ_ONLY, "the disk is read-only");
        } else if (numbers.isEmpty()) {
            try {
                current = createVolume(1);
            } catch (IOException e) {
                goReadOnly(ReadOnlyCause.WRITE_FAILED, "cannot create the first volume file: " + e.getMessage(), e);
            }
        } else {
            current = volumes.get(numbers.get(numbers.size() - 1));
        }
        if (readOnly == null) {
            checkSpace();
        }
        log.info("block store {} opened: {} blocks in {} volumes, {} bytes of files{}",
                dir, index.size(), volumes.size(), fileBytes(),
                readOnly == null ? "" : "; read-only: " + readOnly.reason());
    }

    private void replay(Volume v) throws IOException {
        IndexFormat.ScanResult scan = IndexFormat.scan(v.idx, e -> apply(v.number, e));
        if (!diskWritable) {
            // Nothing may be repaired: appends never happen, so a torn tail only needs ignoring.
            v.idxEnd = scan.validHeader() ? scan.goodEnd() : scan.size();
            return;
        }
        try {
            if (!scan.validHeader()) {
                v.idx.truncate(0);
                IndexFormat.writeFully(v.idx, IndexFormat.header(), 0);
                v.idx.force(false);
                v.idxEnd = IndexFormat.HEADER_BYTES;
                if (scan.size() > 0) {
                    log.warn("index {} had a torn header; rewritten", v.idxPath);
                }
                return;
            }
            if (scan.badRecords() > 0) {
                log.warn("index {}: skipped {} records with a bad checksum", v.idxPath, scan.badRecords());
            }
            if (scan.goodEnd() < scan.size()) {
                log.warn("index {}: truncating a torn tail of {} bytes", v.idxPath, scan.size() - scan.goodEnd());
                v.idx.truncate(scan.goodEnd());
                v.idx.force(false);
            }
        } catch (IOException e) {
            // A full disk cannot take even a header: serve what is there, take nothing new.
            goReadOnly(ReadOnlyCause.WRITE_FAILED, "cannot repair index " + v.idxPath + ": " + e.getMessage(), e);
        }
        v.idxEnd = scan.validHeader() ? scan.goodEnd() : Math.max(scan.size(), IndexFormat.HEADER_BYTES);
    }

    private void apply(int volume, IndexFormat.Entry e) {
        Location loc = new Location(volume, e.offset(), e.length());
        if (e.tombstone()) {
            if (index.remove(e.id(), loc)) {
                liveBytes.addAndGet(-loc.length());
            }
        } else {
            Location old = index.put(e.id(), loc);
            liveBytes.addAndGet(loc.length() - (old == null ? 0 : old.length()));
        }
    }

    /** Entries whose bytes are not (all) in their data file: the data file was cut short. */
    private void dropEntriesPastDataEnd() throws IOException {
        Map<BlockId, Location> lost = new HashMap<>();
        index.forEach((id, loc) -> {
            if (loc.offset() + loc.length() > volumes.get(loc.volume()).datEnd) {
                lost.put(id, loc);
            }
        });
        if (lost.isEmpty()) {
            return;
        }
        log.warn("{} blocks point past the end of their volume file; dropped and reported as corrupt", lost.size());
        corrupt.addAll(dropCopies(lost).keySet());
    }

    /**
     * Tombstones these copies where they are still the live ones and drops them from memory, even
     * when the tombstones cannot be written (read-only or failing disk). Returns the copies dropped.
     */
    private Map<BlockId, Location> dropCopies(Map<BlockId, Location> copies) {
        Map<BlockId, Location> live = new HashMap<>();
        Map<Volume, Long> ends = Map.of();
        appendLock.lock();
        try {
            copies.forEach((id, loc) -> {
                if (loc.equals(index.get(id))) {
                    live.put(id, loc);
                }
            });
            if (diskWritable && !closed && !live.isEmpty()) {
                ends = writeTombstones(live);
            }
        } catch (IOException e) {
            log.warn("cannot tombstone {} bad block copies: {}", live.size(), e.toString());
        } finally {
            live.forEach((id, loc) -> {
                if (index.remove(id, loc)) {
                    liveBytes.addAndGet(-loc.length());
                }
            });
            appendLock.unlock();
        }
        for (Map.Entry<Volume, Long> e : ends.entrySet()) {
            try {
                e.getKey().syncIndex(e.getValue());
            } catch (IOException ex) {
                log.warn("cannot sync the tombstones in {}: {}", e.getKey().idxPath, ex.toString());
            }
        }
        return live;
    }

    private Volume createVolume(int number) throws IOException {
        Volume v = Volume.open(dir, number);
        IndexFormat.writeFully(v.idx, IndexFormat.header(), 0);
        v.idxEnd = IndexFormat.HEADER_BYTES;
        v.idx.force(false);
        syncDirectory();
        volumes.put(number, v);
        return v;
    }

    private void syncDirectory() {
        // A new file's name is durable only once its directory is; not possible on every OS.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    // ------------------------------------------------------------------ writes

    @Override
    public Batch newBatch() {
        ensureOpen();
        return new DiskBatch();
    }

    /**
     * Appends bytes to the current volume and counts them as pending there until their index
     * record is written ({@link #releasePending}). A compaction copy ({@code copy=true}) is allowed
     * past the capacity and while read-only for want of space: it is how space comes back.
     */
    private Location append(byte[] data, int offset, int length, boolean copy) throws IOException {
        appendLock.lock();
        try {
            ensureOpen();
            ReadOnlyState ro = readOnly;
            if (ro != null && !(copy && ro.cause().allowsCompaction())) {
                throw new ReadOnlyStoreException(ro.reason());
            }
            long needed = length + (long) IndexFormat.RECORD_BYTES;
            if (!copy && config.capacityBytes() > 0 && fileBytes() + needed > config.capacityBytes()) {
                throw goReadOnly(ReadOnlyCause.CAPACITY, "capacity of " + config.capacityBytes() + " bytes used up", null);
            }
            Volume v = current;
            if (v == null || (v.datEnd > 0 && v.datEnd + length > config.volumeFileBytes())) {
                v = roll();
            }
            long at = v.datEnd;
            try {
                IndexFormat.writeFully(v.dat, ByteBuffer.wrap(data, offset, length), at);
            } catch (IOException e) {
                throw goReadOnly(ReadOnlyCause.WRITE_FAILED, "write to " + v.datPath + " failed: " + e.getMessage(), e);
            }
            v.datEnd = at + length;
            pendingAppends.merge(v.number, 1, Integer::sum);
            return new Location(v.number, at, length);
        } finally {
            appendLock.unlock();
        }
    }

    /** Caller holds the append lock. */
    private void releasePending(Collection<Location> appended) {
        for (Location loc : appended) {
            pendingAppends.computeIfPresent(loc.volume(), (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    private Volume roll() throws IOException {
        int next = volumes.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        try {
            current = createVolume(next);
        } catch (IOException e) {
            throw goReadOnly(ReadOnlyCause.WRITE_FAILED, "cannot create a new volume file: " + e.getMessage(), e);
        }
        log.info("started volume {} in {}", current.number, dir);
        return current;
    }

    private ReadOnlyStoreException goReadOnly(ReadOnlyCause cause, String reason, Exception failure) {
        if (readOnly == null) {
            readOnly = new ReadOnlyState(cause, reason);
            log.warn("block store {} is now read-only: {}", dir, reason);
        }
        ReadOnlyStoreException e = new ReadOnlyStoreException(reason);
        if (failure != null) {
            e.initCause(failure);
        }
        return e;
    }

    /**
     * Appends index records, one write per volume; caller holds the append lock. Records for a
     * volume compaction has removed are moot and skipped. Returns index ends.
     */
    private Map<Volume, Long> writeRecords(Map<Integer, List<IndexFormat.Entry>> byVolume) throws IOException {
        if (!diskWritable) {
            throw new ReadOnlyStoreException("the disk is read-only");
        }
        Map<Volume, Long> ends = new HashMap<>();
        for (Map.Entry<Integer, List<IndexFormat.Entry>> group : byVolume.entrySet()) {
            Volume v = volumes.get(group.getKey());
            if (v == null) {
                continue;
            }
            ByteBuffer buf = ByteBuffer.allocate(group.getValue().size() * IndexFormat.RECORD_BYTES);
            for (IndexFormat.Entry e : group.getValue()) {
                IndexFormat.encode(buf, e.id(), e.offset(), e.length(), e.tombstone());
            }
            buf.flip();
            long at = v.idxEnd;
            IndexFormat.writeFully(v.idx, buf, at);
            v.idxEnd = at + buf.limit();
            ends.put(v, v.idxEnd);
        }
        return ends;
    }

    /** Tombstones these copies and drops them from memory; caller holds the append lock. */
    private Map<Volume, Long> writeTombstones(Map<BlockId, Location> copies) throws IOException {
        Map<Integer, List<IndexFormat.Entry>> byVolume = new TreeMap<>();
        copies.forEach((id, loc) -> byVolume.computeIfAbsent(loc.volume(), k -> new ArrayList<>())
                .add(new IndexFormat.Entry(id, loc.offset(), loc.length(), true)));
        Map<Volume, Long> ends = writeRecords(byVolume);
        copies.forEach((id, loc) -> {
            if (index.remove(id, loc)) {
                liveBytes.addAndGet(-loc.length());
            }
        });
        return ends;
    }

    @Override
    public int delete(Collection<BlockId> ids) throws IOException {
        ensureOpen();
        if (!diskWritable) {
            throw new ReadOnlyStoreException("the disk is read-only: blocks cannot be deleted");
        }
        Map<BlockId, Location> copies = new LinkedHashMap<>();
        Map<Volume, Long> ends;
        appendLock.lock();
        try {
            for (BlockId id : ids) {
                Location loc = index.get(id);
                if (loc != null) {
                    copies.put(id, loc);
                }
            }
            ends = writeTombstones(copies);
        } finally {
            appendLock.unlock();
        }
        for (Map.Entry<Volume, Long> e : ends.entrySet()) {
            e.getKey().syncIndex(e.getValue());
        }
        return copies.size();
    }

    private final class DiskBatch implements Batch {
        private final Map<BlockId, Location> pending = new LinkedHashMap<>();
        private final List<BlockId> stored = new ArrayList<>();
        private final Set<BlockId> seen = new HashSet<>();
        private long bytesWritten;
        private boolean done;
        private boolean released;

        @Override
        public boolean put(BlockId id, byte[] data, int offset, int length) throws IOException {
            if (done) {
                throw new IllegalStateException("batch already committed or closed");
            }
            if (length > MAX_BLOCK_BYTES) {
                throw new IllegalArgumentException("block of " + length + " bytes exceeds " + MAX_BLOCK_BYTES);
            }
            BlockId actual = BlockId.sha256(data, offset, length);
            if (!actual.equals(id)) {
                throw new CorruptBlockException(id, "bytes do not match the block id (their SHA-256 is " + actual + ")");
            }
            if (seen.contains(id) || index.containsKey(id)) {
                if (seen.add(id)) {
                    stored.add(id);
                }
                return false;
            }
            Location loc = append(data, offset, length, false);
            seen.add(id);
            pending.put(id, loc);
            stored.add(id);
            bytesWritten += length;
            return true;
        }

        @Override
        public BatchResult commit() throws IOException {
            if (done) {
                throw new IllegalStateException("batch already committed or closed");
            }
            done = true;
            if (!pending.isEmpty()) {
                persist();
            }
            return new BatchResult(stored, bytesWritten);
        }

        private void persist() throws IOException {
            Map<Integer, Long> dataEnds = new TreeMap<>();
            Map<Integer, List<IndexFormat.Entry>> records = new TreeMap<>();
            pending.forEach((id, loc) -> {
                dataEnds.merge(loc.volume(), loc.offset() + loc.length(), Math::max);
                records.computeIfAbsent(loc.volume(), k -> new ArrayList<>())
                        .add(new IndexFormat.Entry(id, loc.offset(), loc.length(), false));
            });
            Map<Volume, Long> indexEnds;
            try {
                for (Map.Entry<Integer, Long> e : dataEnds.entrySet()) {
                    volumes.get(e.getKey()).syncData(e.getValue());
                }
                appendLock.lock();
                try {
                    ensureOpen();
                    indexEnds = writeRecords(records);
                } finally {
                    // Recorded or failed: either way this batch no longer keeps its volumes from compaction.
                    releasePending(pending.values());
                    released = true;
                    appendLock.unlock();
                }
                for (Map.Entry<Volume, Long> e : indexEnds.entrySet()) {
                    e.getKey().syncIndex(e.getValue());
                }
            } catch (IOException e) {
                if (e instanceof ReadOnlyStoreException) {
                    throw e;
                }
                throw goReadOnly(ReadOnlyCause.WRITE_FAILED, "fsync or index write failed: " + e.getMessage(), e);
            }
            pending.forEach((id, loc) -> {
                Location old = index.put(id, loc);
                liveBytes.addAndGet(loc.length() - (old == null ? 0 : old.length()));
            });
        }

        @Override
        public void close() {
            // Appended but uncommitted bytes stay unindexed in the data file until compaction.
            done = true;
            if (!released) {
                released = true;
                appendLock.lock();
                try {
                    releasePending(pending.values());
                } finally {
                    appendLock.unlock();
                }
            }
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public byte[] get(BlockId id) throws IOException {
        ensureOpen();
        for (int attempt = 0; ; attempt++) {
            Location loc = locate(id);
            try {
                return readBlock(id, loc);
            } catch (CorruptBlockException e) {
                throw corrupted(id, loc, e.getReason());
            } catch (ClosedChannelException e) {
                if (!movedSince(id, loc, attempt)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public InputStream openStream(BlockId id) throws IOException {
        ensureOpen();
        return new VerifyingStream(id, locate(id));
    }

    private Location locate(BlockId id) throws NoSuchFileException {
        Location loc = index.get(id);
        if (loc == null) {
            throw new NoSuchFileException(id.toHex(), null, "block not held by this worker");
        }
        return loc;
    }

    /** After a closed channel: whether the block has moved (or gone) since {@code loc} was looked up, so a retry helps. */
    private boolean movedSince(BlockId id, Location loc, int attempt) {
        return !closed && attempt < MOVE_RETRIES && !loc.equals(index.get(id));
    }

    /** The volume holding {@code loc}; a closed channel when compaction has removed it. */
    private Volume volumeOf(Location loc) throws ClosedChannelException {
        Volume v = volumes.get(loc.volume());
        if (v == null) {
            throw new ClosedChannelException();
        }
        return v;
    }

    /**
     * Reads and verifies one copy. Throws {@link CorruptBlockException} for bad or missing bytes
     * without dropping the copy (the caller decides), {@link ClosedChannelException} when the
     * volume was closed under the read.
     */
    private byte[] readBlock(BlockId id, Location loc) throws IOException {
        Volume v = volumeOf(loc);
        byte[] data = new byte[loc.length()];
        ByteBuffer buf = ByteBuffer.wrap(data);
        long pos = loc.offset();
        while (buf.hasRemaining()) {
            int n = v.dat.read(buf, pos);
            if (n < 0) {
                throw new CorruptBlockException(id, "volume file " + v.datPath.getFileName() + " ends at " + pos
                        + ", inside the block");
            }
            pos += n;
        }
        if (!BlockId.sha256(data, 0, data.length).equals(id)) {
            throw new CorruptBlockException(id, "stored bytes do not match the block id");
        }
        return data;
    }

    /**
     * Records a corrupt copy: out of the index (so a good copy can be put again) and reported in
     * the next heartbeat. A copy that is no longer the block's live one (moved by compaction
     * meanwhile) is not reported: the block is fine elsewhere.
     */
    private CorruptBlockException corrupted(BlockId id, Location loc, String reason) {
        dropCorrupt(id, loc, reason);
        return new CorruptBlockException(id, reason);
    }

    /** As {@link #corrupted}; returns whether the copy was the live one (and so is reported). */
    private boolean dropCorrupt(BlockId id, Location loc, String reason) {
        if (dropCopies(Map.of(id, loc)).isEmpty()) {
            return false;
        }
        log.warn("block {} (volume {}, offset {}) is corrupt: {}", id, loc.volume(), loc.offset(), reason);
        corrupt.add(id);
        return true;
    }

    private final class VerifyingStream extends InputStream {
        private final BlockId id;
        private final MessageDigest digest = Sha256.newDigest();
        private Location loc;
        private int moves;
        private long read;
        private boolean verified;

        VerifyingStream(BlockId id, Location loc) {
            this.id = id;
            this.loc = loc;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long left = loc.length() - read;
            if (left == 0) {
                verifyAtEnd();
                return -1;
            }
            int want = (int) Math.min(Math.min(len, left), STREAM_CHUNK);
            int n;
            while (true) {
                try {
                    n = volumeOf(loc).dat.read(ByteBuffer.wrap(b, off, want), loc.offset() + read);
                    break;
                } catch (ClosedChannelException e) {
                    // Moved by compaction: the same bytes continue at the new place.
                    if (!movedSince(id, loc, moves++)) {
                        throw e;
                    }
                    loc = locate(id);
                }
            }
            if (n < 0) {
                throw corrupted(id, loc, "volume file of volume " + loc.volume() + " ends inside the block");
            }
            digest.update(b, off, n);
            read += n;
            if (read == loc.length()) {
                verifyAtEnd();
            }
            return n;
        }

        private void verifyAtEnd() throws CorruptBlockException {
            if (!verified) {
                if (!BlockId.of(digest.digest()).equals(id)) {
                    throw corrupted(id, loc, "stored bytes do not match the block id");
                }
                verified = true;
            }
        }
    }

    // ------------------------------------------------------------------ scrubbing and compaction

    /** Numbers of the volumes held, ascending. */
    public List<Integer> volumeNumbers() {
        return volumes.keySet().stream().sorted().toList();
    }

    /**
     * The live block copies of one volume in disk order, read from its index file (no lock, no
     * scan of the in-memory index). Empty when the volume is gone.
     */
    public List<StoredBlock> liveBlocks(int volume) throws IOException {
        ensureOpen();
        Volume v = volumes.get(volume);
        if (v == null) {
            return List.of();
        }
        List<StoredBlock> live = new ArrayList<>();
        try {
            IndexFormat.scan(v.idx, e -> {
                Location loc = new Location(volume, e.offset(), e.length());
                if (!e.tombstone() && loc.equals(index.get(e.id()))) {
                    live.add(loc.holding(e.id()));
                }
            });
        } catch (ClosedChannelException e) {
            if (closed) {
                throw e;
            }
            return List.of(); // removed by compaction meanwhile
        }
        live.sort(Comparator.comparingLong(StoredBlock::offset));
        return live;
    }

    /**
     * Re-reads one copy and checks it against its id. A corrupt, cut-short or unreadable copy is
     * dropped from the index and its id kept for the next heartbeat, as on a failed read.
     */
    public Verdict verify(StoredBlock block) throws IOException {
        return check(block).verdict();
    }

    /** @param data the verified bytes when {@code verdict} is GOOD, else null */
    record Checked(Verdict verdict, byte[] data) {
    }

    /** Reads a copy that is still live and verifies it; a bad one is dropped and reported. */
    Checked check(StoredBlock block) throws IOException {
        ensureOpen();
        Location loc = Location.of(block);
        if (!loc.equals(index.get(block.id()))) {
            return new Checked(Verdict.GONE, null);
        }
        String problem;
        try {
            return new Checked(Verdict.GOOD, readBlock(block.id(), loc));
        } catch (CorruptBlockException e) {
            problem = e.getReason();
        } catch (ClosedChannelException e) {
            if (closed) {
                throw e;
            }
            return new Checked(Verdict.GONE, null); // moved by compaction under the read
        } catch (IOException e) {
            problem = "unreadable: " + e;
        }
        return new Checked(dropCorrupt(block.id(), loc, problem) ? Verdict.CORRUPT : Verdict.GONE, null);
    }

    /**
     * A volume compaction may take: sealed (never appended to again) and with no batch still
     * about to record blocks in it.
     *
     * @param number    volume number
     * @param datBytes  size of its data file
     * @param fileBytes size of its data and index files
     * @param liveBytes stored bytes of its live blocks
     */
    record VolumeUsage(int number, long datBytes, long fileBytes, long liveBytes) {
        double liveShare() {
            return datBytes == 0 ? 0 : (double) liveBytes / datBytes;
        }
    }

    /** The volumes compaction may take now, with their live bytes (one pass over the index, no lock held). */
    List<VolumeUsage> sealedVolumes() {
        Map<Integer, Volume> sealed = new TreeMap<>();
        appendLock.lock();
        try {
            if (!diskWritable || closed) {
                return List.of();
            }
            volumes.forEach((n, v) -> {
                // Only the current volume takes appends; a batch that appended before a roll may still record.
                if (v != current && !pendingAppends.containsKey(n)) {
                    sealed.put(n, v);
                }
            });
        } finally {
            appendLock.unlock();
        }
        Map<Integer, Long> live = new HashMap<>();
        index.values().forEach(loc -> {
            if (sealed.containsKey(loc.volume())) {
                live.merge(loc.volume(), (long) loc.length(), Long::sum);
            }
        });
        List<VolumeUsage> out = new ArrayList<>();
        sealed.forEach((n, v) -> out.add(new VolumeUsage(n, v.datEnd, v.fileBytes(), live.getOrDefault(n, 0L))));
        return out;
    }

    /** A block copy made by compaction: {@code to} holds the same bytes as {@code from}. */
    record Move(StoredBlock from, StoredBlock to) {
    }

    /** Appends a verified copy of {@code from} to the current volume; not visible until {@link #commitMoves}. */
    Move appendCopy(StoredBlock from, byte[] data) throws IOException {
        Location to = append(data, 0, data.length, true);
        return new Move(from, to.holding(from.id()));
    }

    /**
     * Makes copies durable and switches the index to them, unless the block was deleted or
     * dropped meanwhile (its copy then stays unindexed garbage). Data is forced before the index
     * records are written, and the old copies stay until {@link #dropVolume}, so a crash at any
     * point leaves each block at one good place. Returns how many blocks moved.
     */
    int commitMoves(List<Move> moves) throws IOException {
        if (moves.isEmpty()) {
            return 0;
        }
        List<Location> appended = moves.stream().map(m -> Location.of(m.to())).toList();
        Map<Volume, Long> indexEnds = Map.of();
        int moved = 0;
        try {
            Map<Integer, Long> dataEnds = new TreeMap<>();
            for (Location to : appended) {
                dataEnds.merge(to.volume(), to.offset() + to.length(), Math::max);
            }
            for (Map.Entry<Integer, Long> e : dataEnds.entrySet()) {
                volumes.get(e.getKey()).syncData(e.getValue());
            }
            appendLock.lock();
            try {
                ensureOpen();
                Map<Integer, List<IndexFormat.Entry>> records = new TreeMap<>();
                List<Move> live = new ArrayList<>();
                for (Move m : moves) {
                    if (Location.of(m.from()).equals(index.get(m.from().id()))) {
                        live.add(m);
                        StoredBlock to = m.to();
                        records.computeIfAbsent(to.volume(), k -> new ArrayList<>())
                                .add(new IndexFormat.Entry(to.id(), to.offset(), to.length(), false));
                    }
                }
                indexEnds = writeRecords(records);
                // Under the append lock, so a delete sees either the old copy or the new one, never loses one.
                for (Move m : live) {
                    index.put(m.from().id(), Location.of(m.to()));
                }
                moved = live.size();
            } finally {
                releasePending(appended);
                appended = List.of();
                appendLock.unlock();
            }
            for (Map.Entry<Volume, Long> e : indexEnds.entrySet()) {
                e.getKey().syncIndex(e.getValue());
            }
        } catch (IOException e) {
            if (e instanceof ReadOnlyStoreException) {
                throw e;
            }
            throw goReadOnly(ReadOnlyCause.WRITE_FAILED, "compaction fsync or index write failed: " + e.getMessage(), e);
        } finally {
            if (!appended.isEmpty()) {
                appendLock.lock();
                try {
                    releasePending(appended);
                } finally {
                    appendLock.unlock();
                }
            }
        }
        return moved;
    }

    /** Whether the disk can take {@code bytes} of copies (with a block to spare); true when it cannot tell. */
    boolean roomForCopies(long bytes) {
        try {
            return disk.usableBytes(dir) >= bytes + MAX_BLOCK_BYTES;
        } catch (IOException e) {
            return true;
        }
    }

    /** Gives up copies that will not be committed (their bytes stay unindexed garbage). */
    void abandonMoves(List<Move> moves) {
        appendLock.lock();
        try {
            releasePending(moves.stream().map(m -> Location.of(m.to())).toList());
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Removes a sealed volume's files once none of {@code listed} (its live blocks as listed
     * before they were moved) is live there any more. Readers still holding a copy in it get a
     * closed channel and retry at the new place. Returns the bytes given back, or -1 when the
     * volume still holds live blocks and was kept.
     */
    long dropVolume(int number, List<StoredBlock> listed) throws IOException {
        Volume v;
        appendLock.lock();
        try {
            ensureOpen();
            v = volumes.get(number);
            if (v == null) {
                return 0;
            }
            if (v == current || pendingAppends.containsKey(number)) {
                return -1;
            }
            for (StoredBlock b : listed) {
                if (Location.of(b).equals(index.get(b.id()))) {
                    return -1;
                }
            }
            volumes.remove(number);
        } finally {
            appendLock.unlock();
        }
        long bytes = v.fileBytes();
        v.close();
        // Index first: a data file left alone by a crash replays as an empty volume, dropped next time.
        Files.deleteIfExists(v.idxPath);
        Files.deleteIfExists(v.datPath);
        syncDirectory();
        return bytes;
    }

    // ------------------------------------------------------------------ space

    /**
     * Re-evaluates read-only mode: enters it when the capacity or the disk's free space (beyond
     * {@link #FREE_SPACE_RESERVE}) has run out, leaves it when there is room for at least one more
     * large block again and, after a failed write, a test write succeeds. A store opened on a
     * read-only disk stays read-only. Returns whether the store takes new blocks.
     */
    public boolean checkSpace() {
        ReadOnlyState ro = readOnly;
        if (closed || (ro != null && ro.cause() == ReadOnlyCause.DISK_READ_ONLY)) {
            return false;
        }
        ReadOnlyState shortage = shortage(ro != null);
        if (shortage == null && ro != null && ro.cause() == ReadOnlyCause.WRITE_FAILED && !probeWrite()) {
            return false;
        }
        appendLock.lock();
        try {
            if (closed) {
                return false;
            }
            if (shortage != null) {
                goReadOnly(shortage.cause(), shortage.reason(), null);
                return false;
            }
            if (readOnly != null) {
                log.info("block store {} takes new blocks again (was read-only: {})", dir, readOnly.reason());
                readOnly = null;
            }
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    /** Why there is no room, or null. Leaving read-only mode asks for a block's worth of room more than entering it. */
    private ReadOnlyState shortage(boolean leaving) {
        long capacity = config.capacityBytes();
        long used = fileBytes();
        long margin = IndexFormat.RECORD_BYTES;
        if (leaving) {
            long block = MAX_BLOCK_BYTES + (long) IndexFormat.RECORD_BYTES;
            margin = capacity > 0 ? Math.min(block, Math.max(capacity / 10, IndexFormat.RECORD_BYTES)) : block;
        }
        if (capacity > 0 && capacity - used < margin) {
            return new ReadOnlyState(ReadOnlyCause.CAPACITY, "capacity of " + capacity + " bytes used up");
        }
        try {
            long usable = disk.usableBytes(dir);
            if (usable < FREE_SPACE_RESERVE + (leaving ? margin : 0)) {
                return new ReadOnlyState(ReadOnlyCause.DISK_SPACE, "only " + usable + " bytes free on the disk");
            }
        } catch (IOException e) {
            log.debug("cannot read the free space of {}: {}", dir, e.toString());
        }
        return null;
    }

    /** Whether a small file can be written and forced in the blocks directory right now. */
    private boolean probeWrite() {
        Path probe = dir.resolve("space.probe");
        try {
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                IndexFormat.writeFully(ch, ByteBuffer.allocate(4096), 0);
                ch.force(false);
            }
            Files.deleteIfExists(probe);
            return true;
        } catch (IOException e) {
            log.debug("test write to {} failed: {}", probe, e.toString());
            return false;
        }
    }

    @Override
    public boolean has(BlockId id) {
        return index.containsKey(id);
    }

    @Override
    public Stream<BlockId> ids() {
        return index.keySet().stream();
    }

    @Override
    public BlockStats stats() {
        long used = fileBytes();
        long usable;
        try {
            usable = disk.usableBytes(dir);
        } catch (IOException e) {
            usable = 0;
        }
        long capacity = config.capacityBytes() > 0 ? config.capacityBytes() : usable + used;
        long free = Math.max(0, Math.min(capacity - used, usable));
        boolean ro = readOnly != null;
        return new BlockStats(capacity, used, ro ? 0 : free, index.size(), liveBytes.get(), ro);
    }

    /** Why the store is read-only, or null when it takes new blocks. */
    public String readOnlyReason() {
        ReadOnlyState ro = readOnly;
        return ro == null ? null : ro.reason();
    }

    @Override
    public Set<BlockId> corruptBlocks() {
        return Set.copyOf(corrupt);
    }

    @Override
    public void acknowledgeCorrupt(Collection<BlockId> reported) {
        corrupt.removeAll(reported);
    }

    private long fileBytes() {
        long sum = 0;
        for (Volume v : volumes.values()) {
            sum += v.fileBytes();
        }
        return sum;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("block store " + dir + " is closed");
        }
    }

    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            appendLock.unlock();
        }
        closeQuietly();
        log.info("block store {} closed", dir);
    }

    private void closeQuietly() {
        for (Volume v : volumes.values()) {
            try {
                v.close();
            } catch (IOException e) {
                log.warn("closing volume {} failed: {}", v.number, e.toString());
            }
        }
        if (lockChannel == null) {
            return;
        }
        try {
            lock.release();
        } catch (IOException | RuntimeException e) {
            log.debug("releasing {} failed: {}", LOCK_FILE, e.toString());
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            log.debug("closing {} failed: {}", LOCK_FILE, e.toString());
        }
    }

    // ------------------------------------------------------------------ read-only inspection

    /**
     * One block as recorded in a data directory.
     *
     * @param id     64 hex digits
     * @param volume volume number
     * @param offset offset in the volume's data file
     * @param length stored length
     */
    public record BlockInfo(String id, int volume, long offset, int length) {
    }

    /**
     * What a data directory holds, read from its files.
     *
     * @param blocks    live blocks, sorted by id
     * @param volumes   number of volumes
     * @param fileBytes bytes of all volume files (live, deleted-not-compacted, indexes)
     * @param liveBytes stored bytes of the live blocks
     */
    public record Inventory(List<BlockInfo> blocks, int volumes, long fileBytes, long liveBytes) {
        public Inventory {
            blocks = List.copyOf(blocks);
        }
    }

    /**
     * The ids (64 hex digits, sorted) of the blocks held in {@code dataDir}, read from the index
     * files only. Safe while a worker runs on the directory: takes no lock, modifies nothing, and
     * ignores a record being written at that moment.
     */
    public static List<String> listBlockIds(Path dataDir) throws IOException {
        return inventory(dataDir).blocks().stream().map(BlockInfo::id).toList();
    }

    /** Blocks and sizes held in {@code dataDir} (for {@code sklad worker ls}); read-only like {@link #listBlockIds}. */
    public static Inventory inventory(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new NoSuchFileException(dataDir.toString(), null, "no such data directory");
        }
        Path blocks = dataDir.resolve(BLOCKS_DIR);
        if (!Files.isDirectory(blocks)) {
            return new Inventory(List.of(), 0, 0, 0);
        }
        Map<BlockId, Location> seen = new HashMap<>();
        Map<Integer, Long> datSizes = new HashMap<>();
        long fileBytes = 0;
        List<Integer> numbers = volumeFileNumbers(blocks);
        for (int n : numbers) {
            Path dat = blocks.resolve(Volume.baseName(n) + ".dat");
            Path idx = blocks.resolve(Volume.baseName(n) + ".idx");
            long datSize = Files.exists(dat) ? Files.size(dat) : 0;
            datSizes.put(n, datSize);
            fileBytes += datSize;
            if (!Files.exists(idx)) {
                continue;
            }
            try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
                fileBytes += ch.size();
                IndexFormat.scan(ch, e -> {
                    Location loc = new Location(n, e.offset(), e.length());
                    if (e.tombstone()) {
                        seen.remove(e.id(), loc);
                    } else {
                        seen.put(e.id(), loc);
                    }
                });
            }
        }
        List<BlockInfo> list = new ArrayList<>();
        long live = 0;
        for (Map.Entry<BlockId, Location> e : seen.entrySet()) {
            Location loc = e.getValue();
            if (loc.offset() + loc.length() <= datSizes.get(loc.volume())) {
                list.add(new BlockInfo(e.getKey().toHex(), loc.volume(), loc.offset(), loc.length()));
                live += loc.length();
            }
        }
        list.sort(Comparator.comparing(BlockInfo::id));
        return new Inventory(list, numbers.size(), fileBytes, live);
    }

    private static List<Integer> volumeFileNumbers(Path blocksDir) throws IOException {
        Set<Integer> numbers = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blocksDir, "vol-*")) {
            for (Path f : files) {
                Matcher m = VOLUME_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    numbers.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        return numbers.stream().sorted().toList();
    }
}
