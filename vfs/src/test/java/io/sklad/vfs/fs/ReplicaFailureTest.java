package io.sklad.vfs.fs;

import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.vfs.client.BlockMapPage;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.EntryInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.sklad.vfs.fs.SkladFileSystemTest.random;
import static io.sklad.vfs.fs.SkladFileSystemTest.read;
import static io.sklad.vfs.fs.SkladFileSystemTest.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Reads survive a corrupt replica and a stopped worker; writes go on with a worker down. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaFailureTest {

    @TempDir
    static Path dir;
    static ClusterFixture cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    private static BlockMapPage blockMap(SkladFileSystem fs, Path p) throws Exception {
        Location at = fs.locate(p);
        EntryInfo e = fs.metadata().stat(at.volume(), at.inVolume());
        return fs.metadata().getBlockMap(at.volume(), e.inode(), 0, 0, 0);
    }

    @Test
    @Order(1)
    void aCorruptReplicaIsReportedAndTheNextOneServesTheRead() throws Exception {
        SkladFileSystem fs = cluster.fs;
        Path p = fs.getPath("/main/corrupt.bin");
        byte[] data = random(3 * 65536, 11);
        write(p, data);
        BlockRef first = blockMap(fs, p).blocks().get(0);
        // Two of the three copies are damaged: whatever order the master gives the reader (by free space,
        // which moves with every heartbeat), a read that does not start with the good copy meets a bad one.
        // A reader that happens to start with the good copy finds nothing to report, so read with fresh
        // agents until one has met a bad copy.
        List<Integer> damaged = new java.util.ArrayList<>();
        java.util.Map<Integer, LocalDiskBlockStore.BlockInfo> badCopies = new java.util.HashMap<>();
        for (int r = 0; r < 2; r++) {
            int w = cluster.workerIndexOf(first.replicas().get(r).nodeId());
            badCopies.put(w, corrupt(cluster.workerDirs.get(w), first.id().hex()));
            damaged.add(w);
        }
        for (int attempt = 0; attempt < 20 && damaged.stream().allMatch(w -> holdsBadCopy(w, badCopies.get(w))); attempt++) {
            try (SkladFileSystem reader = cluster.openFileSystem(dir.resolve("reader-1-" + attempt), 0)) {
                assertThat(read(reader.getPath(p.toString()))).isEqualTo(data);
            }
            Thread.sleep(300);
        }
        assertThat(damaged).as("workers whose bad copy a read reported and dropped")
                .anyMatch(w -> !holdsBadCopy(w, badCopies.get(w)));
        int worker = damaged.stream().filter(w -> !holdsBadCopy(w, badCopies.get(w))).findFirst().orElseThrow();
        // The bad copy was reported and dropped; with R = 3 on 3 workers the master's repair may already have
        // copied a good one back onto the same worker. Either way no bad copy is left there, and the block
        // is back at 3 copies.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        List<BlockRef> found = fs.metadata().findBlocks(List.of(first.id()));
        while ((found.get(0).replicas().size() < 3 || holdsBadCopy(worker, badCopies.get(worker))) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            found = fs.metadata().findBlocks(List.of(first.id()));
        }
        assertThat(found).hasSize(1);
        assertThat(found.get(0).replicas()).hasSize(3);
        assertThat(holdsBadCopy(worker, badCopies.get(worker))).isFalse();
    }

    /**
     * Whether the worker's index still lists the damaged copy where it was damaged (read from its files: a
     * {@code get} would itself find and drop it). Volume files are append-only, so a repaired copy is elsewhere.
     */
    private static boolean holdsBadCopy(int worker, LocalDiskBlockStore.BlockInfo bad) {
        try {
            return LocalDiskBlockStore.inventory(cluster.workerDirs.get(worker)).blocks().stream()
                    .anyMatch(b -> b.id().equals(bad.id()) && b.volume() == bad.volume() && b.offset() == bad.offset());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Flips a byte in the middle of the worker's copy of the block; returns where that copy is. */
    private static LocalDiskBlockStore.BlockInfo corrupt(Path workerDir, String hex) throws Exception {
        LocalDiskBlockStore.BlockInfo info = LocalDiskBlockStore.inventory(workerDir).blocks().stream()
                .filter(b -> b.id().equals(hex)).findFirst().orElseThrow();
        Path dat = workerDir.resolve(LocalDiskBlockStore.BLOCKS_DIR).resolve(String.format("vol-%06d.dat",
                info.volume()));
        try (FileChannel ch = FileChannel.open(dat, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = info.offset() + info.length() / 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
        return info;
    }

    @Test
    @Order(2)
    void filesStillReadAndWriteWithOneOfThreeWorkersStopped() throws Exception {
        SkladFileSystem fs = cluster.fs;
        Path p = fs.getPath("/main/survivor.bin");
        byte[] data = random(20 * 65536 + 17, 12);
        write(p, data);
        cluster.workers.get(1).close();

        try (SkladFileSystem reader = cluster.openFileSystem(dir.resolve("reader-2"), 0)) {
            assertThat(read(reader.getPath(p.toString()))).isEqualTo(data);
            // writes still reach the write quorum (2 of 3) while the master thinks the worker is alive
            Path q = reader.getPath("/main/written-while-down.bin");
            byte[] more = random(5 * 65536, 13);
            write(q, more);
            assertThat(read(q)).isEqualTo(more);
            for (BlockRef ref : blockMap(reader, q).blocks()) {
                assertThat(ref.replicas().size()).isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(Files.size(p)).isEqualTo(data.length);
    }
}
