package io.sklad.vfs.io;

import io.sklad.vfs.client.AttributeChange;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.CommittedBlock;
import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.client.VolumeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one shared state of an open file (per volume + inode), used by every channel on it.
 *
 * <h2>Model</h2>
 * The file is its <em>base</em> version (the committed version it was opened at; its block map is fetched
 * lazily) plus local changes: <em>resident</em> blocks live in slots of a {@link SpillFile} on local disk and
 * are dirty; <em>uploaded</em> blocks were sealed and acknowledged by workers and wait for the commit. A block
 * in neither map is the base's block if its index is below {@code baseValidBlocks}, else zeros. A partial write
 * into a block first pulls the block's current content into a slot (read-modify-write). Invariant: bytes of a
 * resident slot past the file size are zero, so extending a file exposes zeros.
 *
 * <p>A write that reaches the end of a block schedules that block; every {@code batchBlocks} scheduled blocks
 * are snapshotted (with the block's write generation) and handed to the {@link BlockUploader} while writing
 * goes on. When the upload returns and the generation is unchanged, the block moves from resident to uploaded
 * and its slot is reused; a block written again meanwhile stays resident. {@link #flush} uploads every
 * remaining resident block, waits for all uploads, then commits {@code (base version, size, changed blocks)}
 * by compare-and-set; afterwards the new version is the base. A stale base is a conflict, never an overwrite.
 * A change counter ({@link #changes()}) lets each channel tell whether changes of its own are still uncommitted
 * ({@link #uncommitted}), so that closing one channel does not commit what another is writing. Changes still
 * uncommitted when the last channel is gone (a failed commit) are kept on disk with a manifest, not dropped.
 *
 * <h2>Lock protocol</h2>
 * <ol>
 * <li>{@code commitLock} (read-write): {@link #write} holds it shared, so writers run concurrently;
 *     {@link #flush}, {@link #setLength} and {@link #rebase} hold it exclusively, so a commit sees a quiet
 *     file and a truncate never races a read-modify-write. Reads do not take it.</li>
 * <li>{@code state} (a plain lock) guards every field below it and the spill file. It is held only for
 *     memory work and local spill I/O, never across network calls, and it is always taken after
 *     {@code commitLock}, never before.</li>
 * <li>Network work (fetching a base block, uploading, the commit RPC) runs with at most {@code commitLock}
 *     held; code that fetched something re-checks the state under {@code state} before using it.</li>
 * <li>Upload completions run on uploader threads and take only {@code state}.</li>
 * </ol>
 * The {@link OpenFileRegistry} owns the reference count and takes its own monitor before any of these.
 */
public final class OpenFile implements FileContent, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenFile.class);
    private static final int MAX_FLUSH_ROUNDS = 8;

    private static final class Slot {
        final int slot;
        long generation;

        Slot(int slot, long generation) {
            this.slot = slot;
            this.generation = generation;
        }
    }

    private final MetadataClient metadata;
    private final BlockReader reader;
    private final BlockUploader uploader;
    private final Path spillDir;
    private final Path keptDir;
    private final VolumeInfo volume;
    private final long inode;
    private final int blockSize;
    private final int batchBlocks;

    private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
    private final ReentrantLock state = new ReentrantLock();

    // guarded by state
    private EntryInfo baseEntry;
    private long baseVersion;
    private long baseSize;
    private long baseValidBlocks;
    private BlockMapCache baseMap;
    private long size;
    private boolean modified;
    /** Attribute changes made while modified, carried by the next commit; null = none. */
    private AttributeChange pendingAttributes;
    private final Map<Long, Slot> resident = new HashMap<>();
    private final Map<Long, UploadedBlock> uploaded = new HashMap<>();
    private final LinkedHashSet<Long> scheduled = new LinkedHashSet<>();
    private final List<CompletableFuture<Throwable>> inFlight = new ArrayList<>();
    private SpillFile spill;
    private long nextGeneration;
    /** Counts changes (writes, length changes); {@code committedChanges} is its value at the last commit. */
    private long changes;
    private long committedChanges;
    private boolean closed;

    // guarded by the registry
    int refs;

    OpenFile(MetadataClient metadata, BlockReader reader, BlockUploader uploader, Path spillDir, Path keptDir,
             VolumeInfo volume, EntryInfo entry) {
        this.metadata = metadata;
        this.reader = reader;
        this.uploader = uploader;
        this.spillDir = spillDir;
        this.keptDir = keptDir;
        this.volume = volume;
        this.inode = entry.inode();
        this.blockSize = volume.blockSize();
        this.batchBlocks = BlockUploader.batchBlocks(blockSize);
        setBase(entry);
    }

    private void setBase(EntryInfo entry) {
        baseEntry = entry;
        baseVersion = entry.version();
        baseSize = entry.size();
        size = entry.size();
        baseValidBlocks = blocksFor(entry.size());
        baseMap = new BlockMapCache(metadata, volume.name(), inode, entry.version());
    }

    public long inode() {
        return inode;
    }

    public VolumeInfo volume() {
        return volume;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    /** The version this file's content starts from (the last one opened or committed here). */
    public long baseVersion() {
        state.lock();
        try {
            return baseVersion;
        } finally {
            state.unlock();
        }
    }

    /** The committed entry the content starts from. */
    public EntryInfo baseEntry() {
        state.lock();
        try {
            return baseEntry;
        } finally {
            state.unlock();
        }
    }

    /** True when there are local changes not yet committed. */
    public boolean isModified() {
        state.lock();
        try {
            return modified;
        } finally {
            state.unlock();
        }
    }

    @Override
    public long size() {
        state.lock();
        try {
            return size;
        } finally {
            state.unlock();
        }
    }

    @Override
    public long changes() {
        state.lock();
        try {
            return changes;
        } finally {
            state.unlock();
        }
    }

    @Override
    public boolean uncommitted(long mark) {
        state.lock();
        try {
            return modified && mark > committedChanges;
        } finally {
            state.unlock();
        }
    }

    /**
     * Folds an attribute change into the next commit when the file has uncommitted changes, so that the
     * chmod/chown/utimens programs like {@code cp -a} make between writing and closing cost no master transaction
     * of their own (and an explicit mtime is not overwritten by the commit's "now"). The commit that follows is
     * certain: the last channel's close commits a modified file. Holds {@code commitLock} shared, so no commit runs
     * between the check and the change.
     *
     * @return false when there is nothing uncommitted: the caller changes the attributes at the master itself
     */
    public boolean deferAttributes(AttributeChange change) {
        commitLock.readLock().lock();
        try {
            state.lock();
            try {
                if (!modified || closed) {
                    return false;
                }
                pendingAttributes = pendingAttributes == null ? change : pendingAttributes.then(change);
                return true;
            } finally {
                state.unlock();
            }
        } finally {
            commitLock.readLock().unlock();
        }
    }

    /**
     * The entry as this agent sees it: a committed entry of this inode with the in-flight length and the
     * attribute changes not yet committed; unchanged when there are no local changes.
     */
    public EntryInfo overlay(EntryInfo committed) {
        state.lock();
        try {
            if (!modified) {
                return committed;
            }
            EntryInfo e = committed.withSize(size);
            return pendingAttributes == null ? e : e.with(pendingAttributes);
        } finally {
            state.unlock();
        }
    }

    private long blocksFor(long bytes) {
        return (bytes + blockSize - 1) / blockSize;
    }

    private int validLength(long index) {
        return (int) Math.max(0, Math.min(blockSize, size - index * blockSize));
    }

    private SpillFile spill() throws IOException {
        if (spill == null) {
            spill = new SpillFile(spillDir, blockSize);
        }
        return spill;
    }

    // ------------------------------------------------------------------ read

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        long end = size();
        if (position >= end) {
            return -1;
        }
        int total = 0;
        while (dst.hasRemaining() && position < end) {
            long index = position / blockSize;
            int offset = (int) (position % blockSize);
            int n = (int) Math.min(Math.min(blockSize - offset, dst.remaining()), end - position);
            BlockRef ref = null;
            BlockMapCache map = null;
            state.lock();
            try {
                ensureOpen();
                Slot slot = resident.get(index);
                if (slot != null) {
                    ByteBuffer part = dst.duplicate();
                    part.limit(part.position() + n);
                    spill.read(slot.slot, offset, part);
                    dst.position(dst.position() + n);
                    position += n;
                    total += n;
                    continue;
                }
                UploadedBlock up = uploaded.get(index);
                if (up != null) {
                    ref = up.isHole() ? null : up.toRef(index);
                } else if (index < baseValidBlocks) {
                    map = baseMap;
                }
            } finally {
                state.unlock();
            }
            if (map != null) {
                ref = map.ref(index);
            }
            BlockBytes.copy(ref == null ? null : reader.read(ref), offset, n, dst);
            position += n;
            total += n;
        }
        return total;
    }

    @Override
    public void readAhead(long position, int blocks) {
        long first = position / blockSize;
        List<BlockReader.Prefetch> wanted = new ArrayList<>();
        state.lock();
        try {
            long last = Math.min(blocksFor(size) - 1, first + blocks - 1);
            for (long i = first; i <= last; i++) {
                long index = i;
                if (resident.containsKey(index)) {
                    continue;
                }
                UploadedBlock up = uploaded.get(index);
                if (up != null) {
                    if (!up.isHole()) {
                        wanted.add(new BlockReader.Prefetch(up.id(), () -> up.toRef(index)));
                    }
                } else if (index < baseValidBlocks) {
                    BlockMapCache map = baseMap;
                    wanted.add(new BlockReader.Prefetch(null, () -> map.ref(index)));
                }
            }
        } finally {
            state.unlock();
        }
        reader.prefetch(wanted);
    }

    // ------------------------------------------------------------------ write

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        commitLock.readLock().lock();
        try {
            int total = 0;
            while (src.hasRemaining()) {
                long index = position / blockSize;
                int offset = (int) (position % blockSize);
                int n = Math.min(blockSize - offset, src.remaining());
                boolean submit;
                ensureResident(index, offset, n);
                state.lock();
                try {
                    ensureOpen();
                    Slot slot = resident.get(index);
                    if (slot == null) {
                        continue; // uploaded in between: pull it in again
                    }
                    ByteBuffer part = src.slice();
                    part.limit(n);
                    spill.write(slot.slot, offset, part);
                    src.position(src.position() + n);
                    slot.generation = ++nextGeneration;
                    size = Math.max(size, position + n);
                    modified = true;
                    changes++;
                    if (offset + n == blockSize) {
                        scheduled.add(index);
                    }
                    submit = scheduled.size() >= batchBlocks;
                } finally {
                    state.unlock();
                }
                if (submit) {
                    submitScheduled(false);
                }
                position += n;
                total += n;
            }
            return total;
        } finally {
            commitLock.readLock().unlock();
        }
    }

    /** Makes block index resident in the spill, pulling in its current content unless [offset, offset+n) covers it. */
    private void ensureResident(long index, int offset, int n) throws IOException {
        while (true) {
            UploadedBlock upSnapshot;
            BlockMapCache map;
            state.lock();
            try {
                ensureOpen();
                if (resident.containsKey(index)) {
                    return;
                }
                int validEnd = validLength(index);
                upSnapshot = uploaded.get(index);
                boolean hasContent = upSnapshot != null ? !upSnapshot.isHole() : index < baseValidBlocks;
                boolean covers = offset == 0 && n >= validEnd;
                if (!hasContent || covers) {
                    int slot = spill().allocate();
                    if (!(offset == 0 && n == blockSize)) {
                        spill.zero(slot, 0, blockSize);
                    }
                    uploaded.remove(index);
                    resident.put(index, new Slot(slot, ++nextGeneration));
                    return;
                }
                map = baseMap;
            } finally {
                state.unlock();
            }
            ByteBuffer content;
            if (upSnapshot != null) {
                content = reader.read(upSnapshot.toRef(index));
            } else {
                BlockRef ref = map.ref(index);
                content = ref == null ? null : reader.read(ref);
            }
            state.lock();
            try {
                ensureOpen();
                if (resident.containsKey(index)) {
                    return;
                }
                if (uploaded.get(index) != upSnapshot || (upSnapshot == null && map != baseMap)) {
                    continue; // changed while fetching: decide again
                }
                int slot = spill().allocate();
                int keep = 0;
                if (content != null) {
                    ByteBuffer c = content.duplicate();
                    keep = Math.min(c.remaining(), validLength(index));
                    c.limit(c.position() + keep);
                    spill.write(slot, 0, c);
                }
                spill.zero(slot, keep, blockSize);
                uploaded.remove(index);
                resident.put(index, new Slot(slot, ++nextGeneration));
                return;
            } finally {
                state.unlock();
            }
        }
    }

    /** Snapshots scheduled blocks and hands them to the uploader: one batch, or all when {@code all}. */
    private void submitScheduled(boolean all) throws IOException {
        while (true) {
            List<PendingBlock> batch = new ArrayList<>();
            state.lock();
            try {
                ensureOpen();
                if (scheduled.isEmpty() || (!all && scheduled.size() < batchBlocks)) {
                    return;
                }
                Iterator<Long> it = scheduled.iterator();
                while (it.hasNext() && batch.size() < batchBlocks) {
                    long index = it.next();
                    it.remove();
                    Slot slot = resident.get(index);
                    if (slot == null) {
                        continue;
                    }
                    int length = validLength(index);
                    if (length == 0) {
                        resident.remove(index);
                        spill.free(slot.slot);
                        continue;
                    }
                    ByteBuffer copy = ByteBuffer.allocate(length);
                    spill.read(slot.slot, 0, copy);
                    copy.flip();
                    batch.add(new PendingBlock(index, slot.generation, copy.asReadOnlyBuffer()));
                }
            } finally {
                state.unlock();
            }
            if (batch.isEmpty()) {
                continue;
            }
            CompletableFuture<Throwable> tracked = uploader.submit(volume, batch)
                    .handle((results, error) -> applyUpload(batch, results, error));
            state.lock();
            try {
                inFlight.add(tracked);
            } finally {
                state.unlock();
            }
            tracked.whenComplete((e, x) -> {
                state.lock();
                try {
                    inFlight.remove(tracked);
                } finally {
                    state.unlock();
                }
            });
        }
    }

    private Throwable applyUpload(List<PendingBlock> batch, Map<Long, UploadedBlock> results, Throwable error) {
        if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            log.warn("upload of {} blocks of inode {} failed (retried at flush): {}", batch.size(), inode,
                    cause.toString());
            return cause;
        }
        state.lock();
        try {
            if (closed) {
                return null;
            }
            for (PendingBlock p : batch) {
                Slot slot = resident.get(p.index());
                UploadedBlock up = results.get(p.index());
                if (slot != null && up != null && slot.generation == p.generation()) {
                    resident.remove(p.index());
                    spill.free(slot.slot);
                    uploaded.put(p.index(), up);
                }
            }
            return null;
        } finally {
            state.unlock();
        }
    }

    // ------------------------------------------------------------------ truncate / extend

    @Override
    public void setLength(long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        commitLock.writeLock().lock();
        try {
            long current = size();
            if (length == current) {
                return;
            }
            if (length < current && length % blockSize != 0) {
                long index = length / blockSize;
                int cut = (int) (length % blockSize);
                while (true) {
                    ensureResident(index, 0, 0);
                    state.lock();
                    try {
                        Slot slot = resident.get(index);
                        if (slot == null) {
                            continue;
                        }
                        spill.zero(slot.slot, cut, blockSize);
                        slot.generation = ++nextGeneration;
                        break;
                    } finally {
                        state.unlock();
                    }
                }
            }
            state.lock();
            try {
                if (length < size) {
                    long keep = blocksFor(length);
                    resident.entrySet().removeIf(e -> {
                        if (e.getKey() >= keep) {
                            spill.free(e.getValue().slot);
                            return true;
                        }
                        return false;
                    });
                    uploaded.keySet().removeIf(i -> i >= keep);
                    scheduled.removeIf(i -> i >= keep);
                    baseValidBlocks = Math.min(baseValidBlocks, keep);
                }
                size = length;
                modified = true;
                changes++;
            } finally {
                state.unlock();
            }
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ flush / commit

    /** Uploads what is left and commits a new version; nothing happens without local changes. */
    @Override
    public void flush() throws IOException {
        commitLock.writeLock().lock();
        try {
            if (!isModified()) {
                return;
            }
            for (int round = 0; ; round++) {
                state.lock();
                try {
                    ensureOpen();
                    scheduled.clear();
                    resident.keySet().stream().sorted().forEach(scheduled::add);
                } finally {
                    state.unlock();
                }
                submitScheduled(true);
                List<CompletableFuture<Throwable>> waits;
                state.lock();
                try {
                    waits = new ArrayList<>(inFlight);
                } finally {
                    state.unlock();
                }
                Throwable failure = null;
                for (CompletableFuture<Throwable> f : waits) {
                    Throwable t = await(f);
                    if (t != null && failure == null) {
                        failure = t;
                    }
                }
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure.toString(), failure);
                }
                state.lock();
                try {
                    if (resident.isEmpty()) {
                        break;
                    }
                } finally {
                    state.unlock();
                }
                if (round >= MAX_FLUSH_ROUNDS) {
                    throw new IOException("blocks of inode " + inode + " keep changing during upload");
                }
            }
            commit();
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    private static Throwable await(CompletableFuture<Throwable> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for uploads");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private void commit() throws IOException {
        List<CommittedBlock> blocks = new ArrayList<>();
        long base;
        long newSize;
        AttributeChange attributes;
        long upTo;
        state.lock();
        try {
            upTo = changes; // stable: the caller holds commitLock exclusively, so no write runs
            newSize = size;
            base = baseVersion;
            AttributeChange now = AttributeChange.times(System.currentTimeMillis(), null);
            attributes = pendingAttributes == null ? now : now.then(pendingAttributes);
            long newBlocks = blocksFor(newSize);
            uploaded.forEach((i, up) -> {
                if (i < newBlocks) {
                    blocks.add(up.toCommitted(i));
                }
            });
            long stale = Math.min(blocksFor(baseSize), newBlocks);
            for (long i = baseValidBlocks; i < stale; i++) {
                if (!uploaded.containsKey(i)) {
                    blocks.add(CommittedBlock.hole(i));
                }
            }
        } finally {
            state.unlock();
        }
        blocks.sort(Comparator.comparingLong(CommittedBlock::index));
        EntryInfo committed = metadata.commitVersion(volume.name(), inode, base, newSize, blocks, attributes);
        log.debug("committed inode {} version {} -> {}: {} bytes, {} changed blocks", inode, base,
                committed.version(), newSize, blocks.size());
        state.lock();
        try {
            uploaded.clear();
            setBase(committed.withSize(newSize));
            modified = false;
            committedChanges = upTo;
            pendingAttributes = null;
        } finally {
            state.unlock();
        }
    }

    /**
     * Moves an unmodified file to a newer committed version (close-to-open for a new opener). Skipped when
     * there are local changes or a flush is running.
     */
    void rebase(EntryInfo current) {
        if (!commitLock.writeLock().tryLock()) {
            return;
        }
        try {
            state.lock();
            try {
                if (!modified && resident.isEmpty() && current.version() != baseVersion) {
                    uploaded.clear();
                    setBase(current);
                }
            } finally {
                state.unlock();
            }
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    /**
     * The last handle is gone and the changes are not committed (the commit failed, and its error went to
     * fsync/flush/close): the written data must not vanish with the spill. Writes a manifest (base version,
     * size, every changed block: uploaded ones with their id and acknowledging workers, resident ones with
     * their slot) and keeps the spill next to it under {@code keptDir}, and says so in the log.
     * Called under {@code state}.
     */
    private void keepUncommitted() {
        String name = volume.name() + "-" + inode + "-" + System.currentTimeMillis();
        try {
            Files.createDirectories(keptDir);
            Path manifest = keptDir.resolve(name + ".commit");
            List<String> lines = new ArrayList<>();
            lines.add("# Sklad: changes to a file that could not be committed, kept so no written data is lost");
            lines.add("volume " + volume.name());
            lines.add("inode " + inode);
            lines.add("base_version " + baseVersion);
            lines.add("size " + size);
            if (pendingAttributes != null) {
                lines.add("attributes " + pendingAttributes);
            }
            uploaded.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                CommittedBlock c = e.getValue().toCommitted(e.getKey());
                lines.add("uploaded " + c.index() + " " + (c.id() == null ? "-" : c.id().hex()) + " "
                        + c.storedLength() + " " + String.join(",", c.nodeIds()));
            });
            if (!resident.isEmpty()) {
                spill.keepAs(keptDir.resolve(name + ".spill"));
                resident.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .forEach(e -> lines.add("resident " + e.getKey() + " " + e.getValue().slot));
            }
            Files.write(manifest, lines);
            log.error("changes to inode {} of volume {} were not committed ({} uploaded and {} local blocks,"
                    + " {} bytes): kept in {}", inode, volume.name(), uploaded.size(), resident.size(), size, manifest);
        } catch (IOException | RuntimeException e) {
            log.error("changes to inode {} of volume {} were not committed and could not be kept in {}: {}",
                    inode, volume.name(), keptDir, e.toString());
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("open file of inode " + inode + " is closed");
        }
    }

    /** Drops local state; called by the registry when the last channel is gone. */
    @Override
    public void close() {
        state.lock();
        try {
            closed = true;
            if (modified) {
                keepUncommitted();
            }
            resident.clear();
            uploaded.clear();
            scheduled.clear();
            if (spill != null) {
                try {
                    spill.close();
                } catch (IOException e) {
                    log.warn("could not remove spill file of inode {}: {}", inode, e.toString());
                }
                spill = null;
            }
        } finally {
            state.unlock();
        }
    }
}
