package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store opened on a full or read-only disk starts anyway, serves reads and refuses puts. */
class ReadOnlyStartTest {
    @TempDir
    Path dir;

    /** A disk whose answers the test sets; as root, chmod cannot make a directory read-only. */
    static final class FakeDisk implements DiskSpace {
        volatile long usable = 1L << 40;
        volatile boolean readOnly;

        @Override
        public long usableBytes(Path d) {
            return usable;
        }

        @Override
        public boolean readOnly(Path d) {
            return readOnly;
        }
    }

    List<byte[]> fill(int count) throws Exception {
        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0))) {
            List<byte[]> blocks = Stream.generate(() -> Blocks.random(20_000)).limit(count).toList();
            for (byte[] b : blocks) {
                store.put(Blocks.idOf(b), b);
            }
            return blocks;
        }
    }

    static void assertServesAndRefusesPuts(LocalDiskBlockStore store, List<byte[]> blocks) throws Exception {
        assertThat(store.stats().readOnly()).isTrue();
        assertThat(store.stats().freeBytes()).isZero();
        assertThat(store.stats().blockCount()).isEqualTo(blocks.size());
        for (byte[] b : blocks) {
            assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        }
        byte[] fresh = Blocks.random(100);
        assertThatThrownBy(() -> store.put(Blocks.idOf(fresh), fresh)).isInstanceOf(ReadOnlyStoreException.class);
        // A block already held counts as stored: nothing is written for it.
        store.put(Blocks.idOf(blocks.get(0)), blocks.get(0));
    }

    @Test
    void capacityAlreadyUsedUpAtStart() throws Exception {
        List<byte[]> blocks = fill(10);

        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 100_000))) {
            assertServesAndRefusesPuts(store, blocks);
            assertThat(store.readOnlyReason()).contains("capacity");
            assertThat(store.checkSpace()).isFalse();
            // Deletes still work (the master's GC must be able to run on a full worker).
            assertThat(store.delete(List.of(Blocks.idOf(blocks.get(9))))).isEqualTo(1);
        }
        // With the capacity raised, the same data takes puts again.
        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 10_000_000))) {
            assertThat(store.stats().readOnly()).isFalse();
            byte[] fresh = Blocks.random(100);
            store.put(Blocks.idOf(fresh), fresh);
        }
    }

    @Test
    void diskFullAtStartThenSpaceComesBack() throws Exception {
        List<byte[]> blocks = fill(3);
        FakeDisk disk = new FakeDisk();
        disk.usable = 1 << 20;

        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0), disk)) {
            assertServesAndRefusesPuts(store, blocks);
            assertThat(store.readOnlyReason()).contains("free on the disk");
            // Just past the reserve is not enough to leave: no flapping at the edge.
            disk.usable = LocalDiskBlockStore.FREE_SPACE_RESERVE + 1;
            assertThat(store.checkSpace()).isFalse();

            disk.usable = 1L << 40;
            assertThat(store.checkSpace()).isTrue();

            assertThat(store.stats().readOnly()).isFalse();
            byte[] fresh = Blocks.random(100);
            store.put(Blocks.idOf(fresh), fresh);
            assertThat(store.get(Blocks.idOf(fresh))).isEqualTo(fresh);
            // And back into read-only mode when the disk fills up while running.
            disk.usable = 1000;
            assertThat(store.checkSpace()).isFalse();
            assertThat(store.stats().readOnly()).isTrue();
        }
    }

    @Test
    void readOnlyDiskIsServedWithoutWritingAByte() throws Exception {
        List<byte[]> blocks = fill(6);
        FakeDisk disk = new FakeDisk();
        disk.readOnly = true;
        Path blocksDir = dir.resolve(LocalDiskBlockStore.BLOCKS_DIR);
        // A torn index tail and a bad block, which a writable store would repair and tombstone.
        Path idx = blocksDir.resolve("vol-000001.idx");
        Files.write(idx, new byte[20], StandardOpenOption.APPEND);
        BlockId bad = Blocks.idOf(blocks.get(2));
        long badOffset = LocalDiskBlockStore.inventory(dir).blocks().stream()
                .filter(b -> b.id().equals(bad.toHex())).findFirst().orElseThrow().offset();
        try (FileChannel ch = FileChannel.open(blocksDir.resolve("vol-000001.dat"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42, 42, 42}), badOffset + 10);
        }
        Map<String, String> before = digests(blocksDir);

        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dir, 0), disk)) {
            assertThat(store.readOnlyReason()).contains("read-only");
            assertThat(store.stats().readOnly()).isTrue();
            for (byte[] b : blocks) {
                if (!Blocks.idOf(b).equals(bad)) {
                    assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
                }
            }
            assertThatThrownBy(() -> store.get(bad)).isInstanceOf(CorruptBlockException.class);
            assertThat(store.corruptBlocks()).containsExactly(bad);
            assertThat(store.has(bad)).isFalse();
            byte[] fresh = Blocks.random(100);
            assertThatThrownBy(() -> store.put(Blocks.idOf(fresh), fresh)).isInstanceOf(ReadOnlyStoreException.class);
            assertThatThrownBy(() -> store.delete(List.of(Blocks.idOf(blocks.get(0)))))
                    .isInstanceOf(ReadOnlyStoreException.class);
            // Space does not help a read-only disk, and compaction does not touch it.
            assertThat(store.checkSpace()).isFalse();
            assertThat(new Compactor(store, 1.0, 0).compactNow().volumesCompacted()).isZero();
        }

        assertThat(digests(blocksDir)).isEqualTo(before);
    }

    private static Map<String, String> digests(Path d) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(d)) {
            for (Path f : files.toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                out.put(f.getFileName().toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }
}
