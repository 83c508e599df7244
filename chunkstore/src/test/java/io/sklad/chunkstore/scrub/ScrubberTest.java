package io.sklad.chunkstore.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.chunkstore.store.Blocks;
import io.sklad.chunkstore.store.DiskStoreConfig;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.chunkstore.store.StoredBlock;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrubberTest {
    static final int BLOCK = 32 * 1024;

    @TempDir
    Path dir;
    LocalDiskBlockStore store;
    final Map<BlockId, byte[]> blocks = new LinkedHashMap<>();

    @BeforeEach
    void open() throws Exception {
        // 8 blocks per volume file.
        store = new LocalDiskBlockStore(new DiskStoreConfig(dir, 0, 8L * BLOCK));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    void put(int count) throws Exception {
        try (BlockStore.Batch batch = store.newBatch()) {
            for (int i = 0; i < count; i++) {
                byte[] b = Blocks.random(BLOCK);
                batch.put(Blocks.idOf(b), b, 0, b.length);
                blocks.put(Blocks.idOf(b), b);
            }
            batch.commit();
        }
    }

    Path dat(int volume) {
        return dir.resolve(LocalDiskBlockStore.BLOCKS_DIR).resolve(String.format("vol-%06d.dat", volume));
    }

    static void flipByte(Path file, long position) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) ~one.get(0)}), position);
        }
    }

    static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", within).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void findsFlippedAndCutOffBlocksWithinItsPeriodWhileTheRestServes() throws Exception {
        put(24);
        assertThat(store.volumeNumbers()).containsExactly(1, 2, 3);
        StoredBlock flipped = store.liveBlocks(1).get(3);
        flipByte(dat(1), flipped.offset() + 777);
        // Volume 2 loses its last two blocks and a bit of the one before.
        List<StoredBlock> second = store.liveBlocks(2);
        try (FileChannel ch = FileChannel.open(dat(2), StandardOpenOption.WRITE)) {
            ch.truncate(second.get(5).offset() + 100);
        }
        Set<BlockId> damaged = Set.of(flipped.id(), second.get(5).id(), second.get(6).id(), second.get(7).id());
        Path state = dir.resolve("scrub.state");

        try (Scrubber scrubber = new Scrubber(store, 64L << 20, Duration.ofMillis(300), state)) {
            scrubber.start();
            await(() -> scrubber.status().passesCompleted() >= 1, Duration.ofSeconds(5));

            ScrubStatus status = scrubber.status();
            assertThat(status.corruptFound()).isEqualTo(4);
            assertThat(status.blocksChecked()).isEqualTo(24);
            assertThat(status.bytesChecked()).isEqualTo(20L * BLOCK);
            assertThat(status.lastFullPass()).isNotNull();
            assertThat(store.corruptBlocks()).containsExactlyInAnyOrderElementsOf(damaged);
            for (Map.Entry<BlockId, byte[]> e : blocks.entrySet()) {
                if (damaged.contains(e.getKey())) {
                    assertThat(store.has(e.getKey())).isFalse();
                } else {
                    assertThat(store.get(e.getKey())).isEqualTo(e.getValue());
                }
            }
            assertThat(LocalDiskBlockStore.listBlockIds(dir)).hasSize(20);

            // It keeps going: damage found in a later pass, too.
            StoredBlock later = store.liveBlocks(3).get(0);
            flipByte(dat(3), later.offset());
            await(() -> store.corruptBlocks().contains(later.id()), Duration.ofSeconds(5));
            await(() -> scrubber.status().corruptFound() == 5, Duration.ofSeconds(5));
        }
        assertThat(Files.readString(state).trim()).matches("\\d+");
    }

    @Test
    void passesArePacedAndPutsAndGetsGoOnMeanwhile() throws Exception {
        put(64); // 2 MiB
        // 2 MiB at 1 MiB/s: a pass of about two seconds
        Scrubber scrubber = new Scrubber(store, 1L << 20, Duration.ofDays(1), null);
        long start = System.nanoTime();
        CompletableFuture<ScrubStatus> pass = CompletableFuture.supplyAsync(scrubber::scrubNow);
        Thread.sleep(100);
        assertThat(scrubber.status().passStartedAt()).isNotNull();
        for (int i = 0; i < 10; i++) {
            put(1);
            BlockId any = blocks.keySet().iterator().next();
            assertThat(store.get(any)).isEqualTo(blocks.get(any));
        }
        // the puts and gets finished while the pass was still going: it holds no store-wide lock
        // (checked by order of events, not by timing them: no test fails on time)
        assertThat(pass).isNotDone();
        ScrubStatus done = pass.get();
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(pass).isDone();
        assertThat(elapsedMillis).as("paced: 2 MiB at 1 MiB/s").isGreaterThanOrEqualTo(1500);
        assertThat(done.blocksChecked()).isGreaterThanOrEqualTo(64);
        assertThat(done.corruptFound()).isZero();
        assertThat(done.passStartedAt()).isNull();
        scrubber.close();
    }

    @Test
    void lastFullPassIsKeptAcrossRestartsAndCloseStopsAPass() throws Exception {
        put(8);
        Path state = dir.resolve("scrub.state");
        ScrubStatus first;
        try (Scrubber scrubber = new Scrubber(store, 0, Duration.ofHours(1), state)) {
            first = scrubber.scrubNow();
        }
        try (Scrubber again = new Scrubber(store, 0, Duration.ofHours(1), state)) {
            assertThat(again.status().lastFullPass()).isEqualTo(first.lastFullPass().truncatedTo(
                    java.time.temporal.ChronoUnit.MILLIS));
            assertThat(again.status().passesCompleted()).isZero();
        }
        // A slow pass stops promptly on close and does not count as full.
        Scrubber slow = new Scrubber(store, 64 * 1024, Duration.ofHours(1), null);
        CompletableFuture<ScrubStatus> pass = CompletableFuture.supplyAsync(slow::scrubNow);
        Thread.sleep(200);
        long t = System.nanoTime();
        slow.close();
        ScrubStatus stopped = pass.get();
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(1));
        assertThat(stopped.passesCompleted()).isZero();
        assertThat(stopped.lastFullPass()).isNull();
    }

    @Test
    void anEmptyStoreIsAFullPass() {
        try (Scrubber scrubber = new Scrubber(store, 0, Duration.ofHours(1), null)) {
            assertThat(scrubber.scrubNow().passesCompleted()).isEqualTo(1);
        }
    }
}
