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
        String badNode = first.replicas().get(0).nodeId();
        int worker = cluster.workerIndexOf(badNode);
        corrupt(cluster.workerDirs.get(worker), first.id().hex());

        try (SkladFileSystem reader = cluster.openFileSystem(dir.resolve("reader-1"), 0)) {
            assertThat(read(reader.getPath(p.toString()))).isEqualTo(data);
        }
        // The bad copy was reported and dropped; with R = 3 on 3 workers the master's repair may already have
        // copied a good one back onto the same worker. Either way no bad copy is left there, and the block
        // is back at 3 copies.
        io.sklad.chunkstore.store.BlockId id = io.sklad.chunkstore.store.BlockId.fromHex(first.id().hex());
        io.sklad.chunkstore.store.BlockStore store = cluster.workers.get(worker).blockStore();
        if (store.has(id)) {
            assertThat(store.get(id)).isNotEmpty(); // get verifies the SHA-256
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        List<BlockRef> found = fs.metadata().findBlocks(List.of(first.id()));
        while (found.get(0).replicas().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            found = fs.metadata().findBlocks(List.of(first.id()));
        }
        assertThat(found).hasSize(1);
        assertThat(found.get(0).replicas()).hasSize(3);
        if (store.has(id)) {
            assertThat(store.get(id)).isNotEmpty();
        }
    }

    private static void corrupt(Path workerDir, String hex) throws Exception {
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
