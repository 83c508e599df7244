package io.sklad.chunkstore.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the space of deleted blocks: a sealed volume (not the current append target) whose
 * live share (live bytes / data file bytes) is below the threshold has its live blocks copied into
 * the current volume, each verified on the way, and then both of its files deleted. Reads and
 * writes go on meanwhile; the copying is paced to a byte rate (bytes read plus bytes written).
 *
 * <p><b>Crash safety.</b> Copies are appended and forced before their index records are written,
 * the old volume's files are deleted only once those records are forced, and a copy always lands
 * in a higher-numbered volume than its source. Replay reads volumes in ascending order and the
 * later record of a block wins, so wherever a crash cuts in:
 * copies appended but not recorded are unindexed garbage (the blocks stay in the old volume);
 * copies recorded while the old volume still exists shadow the old records (each block once, at
 * the copy; the next run finds the old volume empty and deletes it); an index file deleted before
 * its data file leaves a data file that replays as an empty volume, deleted the same way.
 *
 * <p>Thread-safe; runs one compaction at a time.
 */
public final class Compactor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    /** Default live share below which a volume is compacted. */
    public static final double DEFAULT_THRESHOLD = 0.5;
    /** Copies made durable together: one data fsync and one index fsync per group. */
    private static final long GROUP_BYTES = 8L << 20;
    private static final int GROUP_BLOCKS = 1024;

    /**
     * What one {@link #compactNow()} did.
     *
     * @param volumesCompacted volumes whose files were deleted
     * @param blocksMoved      live blocks copied into the current volume
     * @param bytesCopied      stored bytes of those blocks
     * @param bytesReclaimed   disk space given back (old files minus the copies and their index records)
     * @param corruptFound     blocks found corrupt while copying (dropped and reported)
     */
    public record Result(int volumesCompacted, long blocksMoved, long bytesCopied, long bytesReclaimed,
                         long corruptFound) {
    }

    private final LocalDiskBlockStore store;
    private final double threshold;
    private final Pacer pacer;

    /**
     * @param threshold      live share below which a sealed volume is compacted, in (0, 1]
     * @param bytesPerSecond pace of the copying; 0 = unlimited
     */
    public Compactor(LocalDiskBlockStore store, double threshold, long bytesPerSecond) {
        this.store = Objects.requireNonNull(store, "store");
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        }
        this.threshold = threshold;
        this.pacer = new Pacer(bytesPerSecond);
    }

    /** Compacts every sealed volume below the threshold, emptiest first; then re-checks free space. */
    public synchronized Result compactNow() throws IOException {
        List<LocalDiskBlockStore.VolumeUsage> candidates = store.sealedVolumes().stream()
                .filter(u -> u.liveShare() < threshold)
                .sorted(Comparator.comparingDouble(LocalDiskBlockStore.VolumeUsage::liveShare))
                .toList();
        int volumes = 0;
        long moved = 0;
        long copied = 0;
        long reclaimed = 0;
        long corrupt = 0;
        try {
            for (LocalDiskBlockStore.VolumeUsage u : candidates) {
                if (pacer.stopped()) {
                    break;
                }
                if (u.liveBytes() > 0 && !store.roomForCopies(u.liveBytes())) {
                    log.warn("not compacting volume {}: the disk has no room for its {} live bytes",
                            u.number(), u.liveBytes());
                    continue;
                }
                VolumeResult r = compact(u);
                moved += r.moved();
                copied += r.copied();
                corrupt += r.corrupt();
                if (r.freed() >= 0) {
                    volumes++;
                    long gain = r.freed() - r.copied() - r.moved() * IndexFormat.RECORD_BYTES;
                    reclaimed += gain;
                    log.info("compacted volume {}: {} live blocks ({} bytes) moved, {} bytes given back",
                            u.number(), r.moved(), r.copied(), gain);
                }
            }
        } finally {
            store.checkSpace();
        }
        return new Result(volumes, moved, copied, reclaimed, corrupt);
    }

    /** @param freed bytes of the deleted files, or -1 when the volume was kept (stopped, or blocks still live) */
    private record VolumeResult(long moved, long copied, long corrupt, long freed) {
    }

    private VolumeResult compact(LocalDiskBlockStore.VolumeUsage u) throws IOException {
        List<StoredBlock> listed = store.liveBlocks(u.number());
        List<LocalDiskBlockStore.Move> group = new ArrayList<>();
        long groupBytes = 0;
        long moved = 0;
        long copied = 0;
        long corrupt = 0;
        try {
            for (StoredBlock b : listed) {
                if (!pacer.acquire(2L * b.length())) {
                    store.abandonMoves(group);
                    return new VolumeResult(moved, copied, corrupt, -1);
                }
                LocalDiskBlockStore.Checked checked = store.check(b);
                if (checked.verdict() != LocalDiskBlockStore.Verdict.GOOD) {
                    corrupt += checked.verdict() == LocalDiskBlockStore.Verdict.CORRUPT ? 1 : 0;
                    continue;
                }
                group.add(store.appendCopy(b, checked.data()));
                groupBytes += b.length();
                if (groupBytes >= GROUP_BYTES || group.size() >= GROUP_BLOCKS) {
                    List<LocalDiskBlockStore.Move> full = group;
                    group = new ArrayList<>();
                    groupBytes = 0;
                    moved += commit(full);
                    copied += full.stream().mapToLong(m -> m.to().length()).sum();
                }
            }
            List<LocalDiskBlockStore.Move> last = group;
            group = List.of();
            moved += commit(last);
            copied += last.stream().mapToLong(m -> m.to().length()).sum();
        } catch (IOException | RuntimeException e) {
            store.abandonMoves(group);
            throw e;
        }
        long freed = store.dropVolume(u.number(), listed);
        if (freed < 0) {
            log.info("volume {} kept: blocks were put into it while it was compacted", u.number());
        }
        return new VolumeResult(moved, copied, corrupt, freed);
    }

    private int commit(List<LocalDiskBlockStore.Move> moves) throws IOException {
        return store.commitMoves(moves);
    }

    /** Stops a running compaction at its next block; what was copied so far stays consistent. */
    @Override
    public void close() {
        pacer.stop();
    }
}
