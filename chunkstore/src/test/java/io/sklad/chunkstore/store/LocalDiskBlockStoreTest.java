package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LocalDiskBlockStoreTest extends BlockStoreContractTest {

    @Override
    protected BlockStore open(Path dir) throws Exception {
        return new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0));
    }

    private LocalDiskBlockStore reopen() throws Exception {
        store.close();
        store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0));
        return (LocalDiskBlockStore) store;
    }

    private List<byte[]> putAll(int count, int size) throws Exception {
        List<byte[]> blocks = new ArrayList<>();
        try (BlockStore.Batch batch = store.newBatch()) {
            for (int i = 0; i < count; i++) {
                byte[] b = Blocks.random(size);
                batch.put(Blocks.idOf(b), b, 0, b.length);
                blocks.add(b);
            }
            batch.commit();
        }
        return blocks;
    }

    private static List<String> hexIds(List<byte[]> blocks) {
        return blocks.stream().map(b -> Blocks.idOf(b).toHex()).sorted().toList();
    }

    private Path blocksDir() {
        return dir.resolve(LocalDiskBlockStore.BLOCKS_DIR);
    }

    private Map<String, LocalDiskBlockStore.BlockInfo> inventoryById() throws Exception {
        return LocalDiskBlockStore.inventory(dir).blocks().stream()
                .collect(Collectors.toMap(LocalDiskBlockStore.BlockInfo::id, b -> b));
    }

    @Test
    void restartRebuildsTheIndex() throws Exception {
        List<byte[]> blocks = putAll(20, 10_000);
        store.delete(List.of(Blocks.idOf(blocks.get(3))));
        BlockStats before = store.stats();

        reopen();

        assertThat(store.has(Blocks.idOf(blocks.get(3)))).isFalse();
        for (int i = 0; i < blocks.size(); i++) {
            if (i != 3) {
                assertThat(store.get(Blocks.idOf(blocks.get(i)))).isEqualTo(blocks.get(i));
            }
        }
        BlockStats after = store.stats();
        assertThat(after.blockCount()).isEqualTo(19);
        assertThat(after.liveBytes()).isEqualTo(before.liveBytes());
        assertThat(after.usedBytes()).isEqualTo(before.usedBytes());
        assertThat(store.corruptBlocks()).isEmpty();
    }

    @Test
    void tornIndexTailIsTruncatedAway() throws Exception {
        List<byte[]> blocks = putAll(5, 1000);
        store.close();
        Path idx = blocksDir().resolve("vol-000001.idx");
        long goodSize = Files.size(idx);
        assertThat(goodSize).isEqualTo(IndexFormat.HEADER_BYTES + 5L * IndexFormat.RECORD_BYTES);
        // A whole record with a bad checksum, then half a record: what a power cut can leave.
        Files.write(idx, Blocks.random(IndexFormat.RECORD_BYTES + 20), StandardOpenOption.APPEND);

        store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0));

        assertThat(Files.size(idx)).isEqualTo(goodSize);
        for (byte[] b : blocks) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
        List<byte[]> more = putAll(2, 1000);
        reopen();
        assertThat(store.ids().map(BlockId::toHex).sorted().toList())
                .isEqualTo(hexIds(concat(blocks, more)));
    }

    @Test
    void flippedBytesAreCorruptAndReportedWhileOtherBlocksServe() throws Exception {
        List<byte[]> blocks = putAll(3, 65536);
        BlockId victim = Blocks.idOf(blocks.get(1));
        LocalDiskBlockStore.BlockInfo info = inventoryById().get(victim.toHex());
        flipByte(blocksDir().resolve("vol-000001.dat"), info.offset() + 1234);

        assertThatThrownBy(() -> store.get(victim))
                .isInstanceOf(CorruptBlockException.class)
                .satisfies(e -> assertThat(((CorruptBlockException) e).blockId()).isEqualTo(victim));

        assertThat(store.corruptBlocks()).containsExactly(victim);
        assertThat(store.get(Blocks.idOf(blocks.get(0)))).isEqualTo(blocks.get(0));
        assertThat(store.get(Blocks.idOf(blocks.get(2)))).isEqualTo(blocks.get(2));
        // The bad copy is out, so a good one can be put again.
        assertThat(store.has(victim)).isFalse();
        assertThat(LocalDiskBlockStore.listBlockIds(dir)).doesNotContain(victim.toHex()).hasSize(2);
        store.acknowledgeCorrupt(List.of(victim));
        assertThat(store.corruptBlocks()).isEmpty();
        store.put(victim, blocks.get(1));
        assertThat(reopen().get(victim)).isEqualTo(blocks.get(1));
    }

    @Test
    void corruptionIsCaughtWhenStreaming() throws Exception {
        List<byte[]> blocks = putAll(1, 200_000);
        BlockId id = Blocks.idOf(blocks.get(0));
        flipByte(blocksDir().resolve("vol-000001.dat"), 199_999);

        try (InputStream in = store.openStream(id)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(CorruptBlockException.class);
        }
        assertThat(store.corruptBlocks()).containsExactly(id);
    }

    @Test
    void truncatedDataFileLosesOnlyTheBlocksPastItsEnd() throws Exception {
        List<byte[]> blocks = putAll(4, 50_000);
        Map<String, LocalDiskBlockStore.BlockInfo> where = inventoryById();
        long cut = where.values().stream().mapToLong(LocalDiskBlockStore.BlockInfo::offset).sorted().skip(2)
                .findFirst().orElseThrow() + 10;
        List<byte[]> kept = new ArrayList<>();
        List<BlockId> lost = new ArrayList<>();
        for (byte[] b : blocks) {
            if (where.get(Blocks.idOf(b).toHex()).offset() < cut - 10) {
                kept.add(b);
            } else {
                lost.add(Blocks.idOf(b));
            }
        }
        store.close();
        try (FileChannel ch = FileChannel.open(blocksDir().resolve("vol-000001.dat"), StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        assertThat(LocalDiskBlockStore.listBlockIds(dir)).isEqualTo(hexIds(kept));

        store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0));

        assertThat(kept).hasSize(2);
        for (byte[] b : kept) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
        for (BlockId id : lost) {
            assertThat(store.has(id)).isFalse();
            assertThatThrownBy(() -> store.get(id)).isInstanceOf(NoSuchFileException.class);
        }
        assertThat(store.corruptBlocks()).containsExactlyInAnyOrderElementsOf(lost);
        // New blocks go after the cut; the lost entries stay dead across restarts.
        List<byte[]> more = putAll(2, 50_000);
        reopen();
        assertThat(store.ids().map(BlockId::toHex).sorted().toList()).isEqualTo(hexIds(concat(kept, more)));
        assertThat(store.corruptBlocks()).isEmpty();
        for (byte[] b : more) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
    }

    @Test
    void dataFileTruncatedWhileOpenMakesReadsCorrupt() throws Exception {
        List<byte[]> blocks = putAll(2, 50_000);
        BlockId second = Blocks.idOf(blocks.get(1));
        long offset = inventoryById().get(second.toHex()).offset();
        try (FileChannel ch = FileChannel.open(blocksDir().resolve("vol-000001.dat"), StandardOpenOption.WRITE)) {
            ch.truncate(offset + 100);
        }
        assertThatThrownBy(() -> store.get(second)).isInstanceOf(CorruptBlockException.class);
        assertThat(store.corruptBlocks()).containsExactly(second);
        assertThat(store.get(Blocks.idOf(blocks.get(0)))).isEqualTo(blocks.get(0));
    }

    @Test
    void listBlockIdsMatchesWhatWasPutWhileTheStoreIsOpen() throws Exception {
        List<byte[]> blocks = putAll(30, 2000);
        store.delete(List.of(Blocks.idOf(blocks.get(0))));
        List<byte[]> live = blocks.subList(1, blocks.size());
        // A batch in flight (data appended, not committed) must not show.
        try (BlockStore.Batch pending = store.newBatch()) {
            byte[] extra = Blocks.random(100);
            pending.put(Blocks.idOf(extra), extra, 0, extra.length);
            long before = Files.size(blocksDir().resolve("vol-000001.idx"));

            assertThat(LocalDiskBlockStore.listBlockIds(dir)).isEqualTo(hexIds(live));

            assertThat(Files.size(blocksDir().resolve("vol-000001.idx"))).isEqualTo(before);
        }
        LocalDiskBlockStore.Inventory inv = LocalDiskBlockStore.inventory(dir);
        assertThat(inv.liveBytes()).isEqualTo(29L * 2000);
        assertThat(inv.volumes()).isEqualTo(1);
        store.close();
        assertThat(LocalDiskBlockStore.listBlockIds(dir)).isEqualTo(hexIds(live));
        store = open(dir);
    }

    @Test
    void listBlockIdsOfAnEmptyOrMissingDirectory() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThat(LocalDiskBlockStore.listBlockIds(empty)).isEmpty();
        assertThatThrownBy(() -> LocalDiskBlockStore.listBlockIds(dir.resolve("nope")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void goesReadOnlyWhenCapacityIsUsedUp() throws Exception {
        store.close();
        store = new LocalDiskBlockStore(new DiskStoreConfig(dir, 300_000, DiskStoreConfig.DEFAULT_VOLUME_FILE_BYTES));
        List<byte[]> held = new ArrayList<>();
        byte[] next = Blocks.random(65536);
        ReadOnlyStoreException refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            try {
                store.put(Blocks.idOf(next), next);
                held.add(next);
                next = Blocks.random(65536);
            } catch (ReadOnlyStoreException e) {
                refused = e;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(held).hasSize(4);
        BlockStats stats = store.stats();
        assertThat(stats.readOnly()).isTrue();
        assertThat(stats.freeBytes()).isZero();
        assertThat(stats.capacityBytes()).isEqualTo(300_000);
        // Small blocks are refused too, reads and re-puts of held blocks still work.
        byte[] small = Blocks.random(10);
        assertThatThrownBy(() -> store.put(Blocks.idOf(small), small)).isInstanceOf(ReadOnlyStoreException.class);
        for (byte[] b : held) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
        store.put(Blocks.idOf(held.get(0)), held.get(0));
        assertThat(store.delete(List.of(Blocks.idOf(held.get(0))))).isEqualTo(1);
    }

    @Test
    void volumesRollPastTheirSizeAndSurviveRestart() throws Exception {
        store.close();
        DiskStoreConfig small = new DiskStoreConfig(dir, 0, 150_000);
        store = new LocalDiskBlockStore(small);
        List<byte[]> blocks = putAll(10, 65536);
        store.delete(List.of(Blocks.idOf(blocks.get(0))));
        assertThat(LocalDiskBlockStore.inventory(dir).volumes()).isEqualTo(5);
        store.close();
        store = new LocalDiskBlockStore(small);
        assertThat(store.has(Blocks.idOf(blocks.get(0)))).isFalse();
        for (byte[] b : blocks.subList(1, 10)) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
        assertThat(LocalDiskBlockStore.listBlockIds(dir)).isEqualTo(hexIds(blocks.subList(1, 10)));
    }

    @Test
    void concurrentBatchesAllLand() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<byte[]> all = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        all.addAll(putAll(4, 4096));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.stats().blockCount()).isEqualTo(320);
        reopen();
        assertThat(store.ids().map(BlockId::toHex).sorted().toList()).isEqualTo(hexIds(all));
        for (byte[] b : all.subList(0, 20)) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
    }

    @Test
    void secondStoreOnTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0)))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("in use");
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.flip();
            byte b = one.get();
            ch.write(ByteBuffer.wrap(new byte[] {(byte) ~b}), position);
        }
    }

    private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
