package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction on real volume files, including crashes simulated by putting old files back. */
class CompactorTest {
    /** 16 blocks of 64 KiB fill a volume; the 17th rolls to the next one. */
    static final long VOLUME_BYTES = 16L * 65536;
    static final int BLOCK = 65536;

    @TempDir
    Path dir;
    @TempDir
    Path saved;
    LocalDiskBlockStore store;
    /** Blocks that should be live, by id. */
    final Map<BlockId, byte[]> live = new LinkedHashMap<>();

    @BeforeEach
    void open() throws Exception {
        store = open(0);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    LocalDiskBlockStore open(long capacity) throws Exception {
        return new LocalDiskBlockStore(new DiskStoreConfig(dir, capacity, VOLUME_BYTES));
    }

    void reopen() throws Exception {
        store.close();
        store = open(0);
    }

    Path blocksDir() {
        return dir.resolve(LocalDiskBlockStore.BLOCKS_DIR);
    }

    Path file(int volume, String ext) {
        return blocksDir().resolve(Volume.baseName(volume) + "." + ext);
    }

    /** Puts {@code count} blocks in batches of 8; returns them in put order. */
    List<byte[]> putBlocks(int count) throws Exception {
        List<byte[]> put = new ArrayList<>();
        for (int i = 0; i < count; i += 8) {
            try (BlockStore.Batch batch = store.newBatch()) {
                for (int j = i; j < Math.min(count, i + 8); j++) {
                    byte[] b = Blocks.random(BLOCK);
                    batch.put(Blocks.idOf(b), b, 0, b.length);
                    put.add(b);
                    live.put(Blocks.idOf(b), b);
                }
                batch.commit();
            }
        }
        return put;
    }

    /** Puts 48 blocks (volumes 1-3 full, 4 current) and deletes all but every fourth block of volumes 1 and 2. */
    List<BlockId> fillAndDeleteMost() throws Exception {
        List<byte[]> put = putBlocks(48);
        putBlocks(2);
        List<BlockId> doomed = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if (i % 4 != 0) {
                doomed.add(Blocks.idOf(put.get(i)));
            }
        }
        assertThat(store.delete(doomed)).isEqualTo(24);
        doomed.forEach(live::remove);
        assertThat(store.volumeNumbers()).containsExactly(1, 2, 3, 4);
        return doomed;
    }

    static long du(Path d) throws Exception {
        try (Stream<Path> files = Files.list(d)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }

    /** Every live block reads back byte-identical, each id is live exactly once, nothing else is. */
    void assertHoldsExactlyTheLiveBlocks() throws Exception {
        List<BlockId> ids = store.ids().toList();
        assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(live.keySet());
        assertThat(store.stats().blockCount()).isEqualTo(live.size());
        assertThat(store.stats().liveBytes()).isEqualTo((long) live.size() * BLOCK);
        for (Map.Entry<BlockId, byte[]> e : live.entrySet()) {
            assertThat(store.get(e.getKey())).isEqualTo(e.getValue());
        }
        List<String> listed = LocalDiskBlockStore.listBlockIds(dir);
        assertThat(listed).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(live.keySet().stream().map(BlockId::toHex).toList());
        assertThat(store.corruptBlocks()).isEmpty();
    }

    @Test
    void compactingGivesTheSpaceBackAndKeepsEveryLiveBlock() throws Exception {
        fillAndDeleteMost();
        long before = du(blocksDir());

        Compactor.Result result = new Compactor(store, 0.5, 0).compactNow();

        assertThat(result.volumesCompacted()).isEqualTo(2);
        assertThat(result.blocksMoved()).isEqualTo(8);
        assertThat(result.corruptFound()).isZero();
        assertThat(file(1, "dat")).doesNotExist();
        assertThat(file(1, "idx")).doesNotExist();
        assertThat(file(2, "dat")).doesNotExist();
        assertThat(file(2, "idx")).doesNotExist();
        // Volume 3 is full of live blocks and stays; the copies went to the current volume (and on).
        assertThat(file(3, "dat")).exists();
        long after = du(blocksDir());
        assertThat(before - after).isGreaterThanOrEqualTo(24L * BLOCK).isEqualTo(result.bytesReclaimed());
        assertThat(store.stats().usedBytes()).isEqualTo(after - Files.size(blocksDir().resolve("store.lock")));
        assertHoldsExactlyTheLiveBlocks();

        reopen();
        assertHoldsExactlyTheLiveBlocks();
        assertThat(du(blocksDir())).isEqualTo(after);
        // Nothing left to do, and new blocks still go in.
        assertThat(new Compactor(store, 0.5, 0).compactNow().volumesCompacted()).isZero();
        putBlocks(3);
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void volumesAboveTheThresholdAndTheCurrentVolumeAreLeftAlone() throws Exception {
        List<byte[]> put = putBlocks(20); // volume 1 full, volume 2 current with 4 blocks
        store.delete(List.of(Blocks.idOf(put.get(0)), Blocks.idOf(put.get(17)), Blocks.idOf(put.get(18))));
        live.remove(Blocks.idOf(put.get(0)));
        live.remove(Blocks.idOf(put.get(17)));
        live.remove(Blocks.idOf(put.get(18)));

        Compactor.Result result = new Compactor(store, 0.5, 0).compactNow();

        assertThat(result.volumesCompacted()).isZero();
        assertThat(store.volumeNumbers()).containsExactly(1, 2);
        // With a threshold above its live share (15/16), volume 1 goes.
        assertThat(new Compactor(store, 0.99, 0).compactNow().volumesCompacted()).isEqualTo(1);
        assertThat(file(1, "dat")).doesNotExist();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void readersKeepGettingEveryBlockWhileItMoves() throws Exception {
        fillAndDeleteMost();
        List<BlockId> ids = new ArrayList<>(live.keySet());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            boolean streaming = t == 0;
            Thread reader = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    BlockId id = ids.get(i++ % ids.size());
                    try {
                        byte[] got;
                        if (streaming) {
                            try (InputStream in = store.openStream(id)) {
                                got = in.readAllBytes();
                            }
                        } else {
                            got = store.get(id);
                        }
                        if (!java.util.Arrays.equals(got, live.get(id))) {
                            failures.add(new AssertionError("wrong bytes for " + id));
                        }
                        reads.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        try {
            // Paced so the copying takes a while (~1 MiB of blocks at 4 MiB/s of read + write).
            Compactor.Result result = new Compactor(store, 0.5, 4L << 20).compactNow();
            assertThat(result.volumesCompacted()).isEqualTo(2);
        } finally {
            stop.set(true);
            for (Thread r : readers) {
                r.join(10_000);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(reads.get()).isGreaterThan(100);
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void aStreamOpenedBeforeTheMoveFinishesFromTheNewPlace() throws Exception {
        fillAndDeleteMost();
        StoredBlock old = store.liveBlocks(1).get(1);
        byte[] expected = live.get(old.id());
        try (InputStream in = store.openStream(old.id())) {
            byte[] head = in.readNBytes(1000);

            assertThat(new Compactor(store, 0.5, 0).compactNow().volumesCompacted()).isEqualTo(2);
            assertThat(file(old.volume(), "dat")).doesNotExist();

            byte[] tail = in.readAllBytes();
            byte[] got = new byte[head.length + tail.length];
            System.arraycopy(head, 0, got, 0, head.length);
            System.arraycopy(tail, 0, got, head.length, tail.length);
            assertThat(got).isEqualTo(expected);
        }
        assertThat(store.corruptBlocks()).isEmpty();
    }

    @Test
    void crashAfterTheCopiesBeforeTheOldFilesAreDeleted() throws Exception {
        fillAndDeleteMost();
        save(1, "dat", "idx");
        save(2, "dat", "idx");
        new Compactor(store, 0.5, 0).compactNow();
        store.close();
        // The crash: the copies are durable and indexed, the old volumes are still there.
        restore(1, "dat", "idx");
        restore(2, "dat", "idx");

        store = open(0);

        assertHoldsExactlyTheLiveBlocks();
        assertThat(store.volumeNumbers()).contains(1, 2);
        // The old volumes now hold nothing live: the next run just deletes them.
        Compactor.Result again = new Compactor(store, 0.5, 0).compactNow();
        assertThat(again.volumesCompacted()).isEqualTo(2);
        assertThat(again.blocksMoved()).isZero();
        assertThat(file(1, "dat")).doesNotExist();
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void crashWithTheCopiesWrittenButNotIndexed() throws Exception {
        fillAndDeleteMost();
        int target = store.volumeNumbers().get(store.volumeNumbers().size() - 1);
        save(1, "dat", "idx");
        save(2, "dat", "idx");
        save(target, "idx");
        long targetData = Files.size(file(target, "dat"));
        new Compactor(store, 0.5, 0).compactNow();
        assertThat(Files.size(file(target, "dat"))).isGreaterThan(targetData);
        store.close();
        // The crash: copies appended to the current volume's data file, its index cut short inside
        // the first new record; the old volumes untouched.
        restore(1, "dat", "idx");
        restore(2, "dat", "idx");
        restore(target, "idx");
        try (FileChannel idx = FileChannel.open(file(target, "idx"), StandardOpenOption.WRITE)) {
            idx.write(ByteBuffer.wrap(Blocks.random(IndexFormat.RECORD_BYTES / 2)), idx.size());
        }

        store = open(0);

        assertHoldsExactlyTheLiveBlocks();
        Compactor.Result again = new Compactor(store, 0.5, 0).compactNow();
        assertThat(again.volumesCompacted()).isEqualTo(2);
        assertThat(again.blocksMoved()).isEqualTo(8);
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void crashBetweenDeletingTheIndexAndTheDataFile() throws Exception {
        fillAndDeleteMost();
        save(1, "dat");
        new Compactor(store, 0.5, 0).compactNow();
        store.close();
        restore(1, "dat");

        store = open(0);

        assertHoldsExactlyTheLiveBlocks();
        assertThat(new Compactor(store, 0.5, 0).compactNow().volumesCompacted()).isEqualTo(1);
        assertThat(file(1, "dat")).doesNotExist();
        assertThat(file(1, "idx")).doesNotExist();
    }

    @Test
    void blocksDeletedAfterTheyMovedStayDeletedAcrossACrash() throws Exception {
        fillAndDeleteMost();
        save(1, "dat", "idx");
        new Compactor(store, 0.5, 0).compactNow();
        // A block that lived in volume 1 is deleted at its new place; then the old file comes back.
        BlockId moved = live.keySet().iterator().next();
        assertThat(store.delete(List.of(moved))).isEqualTo(1);
        live.remove(moved);
        store.close();
        restore(1, "dat", "idx");

        store = open(0);

        assertThat(store.has(moved)).isFalse();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void corruptBlocksAreDroppedAndReportedInsteadOfCopied() throws Exception {
        fillAndDeleteMost();
        StoredBlock victim = store.liveBlocks(1).get(0);
        try (FileChannel ch = FileChannel.open(file(1, "dat"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), victim.offset() + 100);
        }

        Compactor.Result result = new Compactor(store, 0.5, 0).compactNow();

        assertThat(result.corruptFound()).isEqualTo(1);
        assertThat(result.volumesCompacted()).isEqualTo(2);
        assertThat(store.corruptBlocks()).containsExactly(victim.id());
        store.acknowledgeCorrupt(List.of(victim.id()));
        live.remove(victim.id());
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void compactionTakesAFullStoreOutOfReadOnlyMode() throws Exception {
        store.close();
        long capacity = 40L * (BLOCK + IndexFormat.RECORD_BYTES);
        store = open(capacity);
        List<byte[]> put = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                byte[] b = Blocks.random(BLOCK);
                store.put(Blocks.idOf(b), b);
                put.add(b);
                live.put(Blocks.idOf(b), b);
            }
        } catch (ReadOnlyStoreException expected) {
            // full
        }
        assertThat(store.stats().readOnly()).isTrue();
        List<BlockId> doomed = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if (i % 4 != 0) {
                doomed.add(Blocks.idOf(put.get(i)));
            }
        }
        store.delete(doomed);
        doomed.forEach(live::remove);
        // Deleting alone gives no disk space back.
        assertThat(store.checkSpace()).isFalse();

        new Compactor(store, 0.5, 0).compactNow();

        assertThat(store.stats().readOnly()).isFalse();
        assertThat(store.readOnlyReason()).isNull();
        putBlocks(8);
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void aStoppedCompactorLeavesEverythingConsistent() throws Exception {
        fillAndDeleteMost();
        Compactor compactor = new Compactor(store, 0.5, 1L << 20);
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            compactor.close();
        });
        stopper.start();
        Compactor.Result result = compactor.compactNow();
        stopper.join();
        assertThat(result.volumesCompacted()).isLessThan(2);
        assertHoldsExactlyTheLiveBlocks();
        reopen();
        assertHoldsExactlyTheLiveBlocks();
        assertThat(new Compactor(store, 0.5, 0).compactNow().volumesCompacted()).isEqualTo(2 - result.volumesCompacted());
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void aBlockDeletedWhileItIsBeingCopiedStaysDeleted() throws Exception {
        fillAndDeleteMost();
        List<StoredBlock> listed = store.liveBlocks(1);
        List<LocalDiskBlockStore.Move> moves = new ArrayList<>();
        for (StoredBlock b : listed) {
            moves.add(store.appendCopy(b, store.check(b).data()));
        }
        BlockId deleted = listed.get(0).id();
        assertThat(store.delete(List.of(deleted))).isEqualTo(1);
        live.remove(deleted);

        assertThat(store.commitMoves(moves)).isEqualTo(listed.size() - 1);
        assertThat(store.dropVolume(1, listed)).isPositive();

        assertThat(store.has(deleted)).isFalse();
        assertHoldsExactlyTheLiveBlocks();
        reopen();
        assertThat(store.has(deleted)).isFalse();
        assertHoldsExactlyTheLiveBlocks();
    }

    @Test
    void aVolumeWithABatchStillToCommitIsNotCompacted() throws Exception {
        try (BlockStore.Batch late = store.newBatch()) {
            byte[] b = Blocks.random(BLOCK);
            late.put(Blocks.idOf(b), b, 0, b.length); // appended to volume 1, not yet recorded
            live.put(Blocks.idOf(b), b);
            List<byte[]> more = putBlocks(20); // fills volume 1 and rolls to volume 2
            store.delete(List.of(Blocks.idOf(more.get(0))));
            live.remove(Blocks.idOf(more.get(0)));

            assertThat(store.sealedVolumes()).isEmpty();
            assertThat(store.dropVolume(1, List.of())).isEqualTo(-1);

            late.commit();
        }
        assertThat(store.sealedVolumes()).extracting(LocalDiskBlockStore.VolumeUsage::number).containsExactly(1);
        assertThat(new Compactor(store, 1.0, 0).compactNow().volumesCompacted()).isEqualTo(1);
        reopen();
        assertHoldsExactlyTheLiveBlocks();
    }

    private void save(int volume, String... exts) throws Exception {
        for (String ext : exts) {
            Files.copy(file(volume, ext), saved.resolve(file(volume, ext).getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void restore(int volume, String... exts) throws Exception {
        for (String ext : exts) {
            Files.copy(saved.resolve(file(volume, ext).getFileName()), file(volume, ext),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
