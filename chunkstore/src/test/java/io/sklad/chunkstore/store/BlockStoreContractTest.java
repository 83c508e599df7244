package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every {@link BlockStore} must do; each implementation runs it through a subclass. */
public abstract class BlockStoreContractTest {

    @TempDir
    protected Path dir;
    protected BlockStore store;

    /** A fresh, empty store whose files (if any) live under {@code dir}. */
    protected abstract BlockStore open(Path dir) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = open(dir);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65536, 4 * 1024 * 1024, 4 * 1024 * 1024 + 64})
    void blocksRoundTrip(int size) throws Exception {
        byte[] data = Blocks.random(size);
        BlockId id = Blocks.idOf(data);

        store.put(id, data);

        assertThat(store.has(id)).isTrue();
        assertThat(store.get(id)).isEqualTo(data);
        try (InputStream in = store.openStream(id)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(store.ids()).containsExactly(id);
        assertThat(store.stats().blockCount()).isEqualTo(1);
        assertThat(store.stats().liveBytes()).isEqualTo(size);
    }

    @Test
    void blockIsInvisibleUntilCommitted() throws Exception {
        byte[] data = Blocks.random(1000);
        BlockId id = Blocks.idOf(data);
        try (BlockStore.Batch batch = store.newBatch()) {
            assertThat(batch.put(id, data, 0, data.length)).isTrue();
            assertThat(store.has(id)).isFalse();
            BlockStore.BatchResult result = batch.commit();
            assertThat(result.stored()).containsExactly(id);
            assertThat(result.bytesWritten()).isEqualTo(1000);
        }
        assertThat(store.has(id)).isTrue();
    }

    @Test
    void abandonedBatchStoresNothing() throws Exception {
        byte[] data = Blocks.random(1000);
        BlockId id = Blocks.idOf(data);
        try (BlockStore.Batch batch = store.newBatch()) {
            batch.put(id, data, 0, data.length);
        }
        assertThat(store.has(id)).isFalse();
    }

    @Test
    void puttingAHeldBlockIsANoOpThatStillAcknowledges() throws Exception {
        byte[] data = Blocks.random(5000);
        BlockId id = Blocks.idOf(data);
        store.put(id, data);
        long used = store.stats().usedBytes();

        try (BlockStore.Batch batch = store.newBatch()) {
            assertThat(batch.put(id, data, 0, data.length)).isFalse();
            assertThat(batch.put(id, data, 0, data.length)).isFalse();
            BlockStore.BatchResult result = batch.commit();
            assertThat(result.stored()).containsExactly(id);
            assertThat(result.bytesWritten()).isZero();
        }
        assertThat(store.stats().usedBytes()).isEqualTo(used);
        assertThat(store.stats().blockCount()).isEqualTo(1);
    }

    @Test
    void hashMismatchRejectsOnlyTheBadBlock() throws Exception {
        byte[] good = Blocks.random(3000);
        byte[] bad = Blocks.random(3000);
        BlockId claimed = Blocks.idOf(Blocks.random(3000));
        try (BlockStore.Batch batch = store.newBatch()) {
            batch.put(Blocks.idOf(good), good, 0, good.length);
            assertThatThrownBy(() -> batch.put(claimed, bad, 0, bad.length))
                    .isInstanceOf(CorruptBlockException.class)
                    .satisfies(e -> assertThat(((CorruptBlockException) e).blockId()).isEqualTo(claimed));
            batch.commit();
        }
        assertThat(store.has(claimed)).isFalse();
        assertThat(store.has(Blocks.idOf(bad))).isFalse();
        assertThat(store.get(Blocks.idOf(good))).isEqualTo(good);
    }

    @Test
    void deleteThenGetIsNotFound() throws Exception {
        byte[] a = Blocks.random(100);
        byte[] b = Blocks.random(200);
        store.put(Blocks.idOf(a), a);
        store.put(Blocks.idOf(b), b);

        int deleted = store.delete(List.of(Blocks.idOf(a), Blocks.idOf(Blocks.random(10))));

        assertThat(deleted).isEqualTo(1);
        assertThat(store.has(Blocks.idOf(a))).isFalse();
        assertThatThrownBy(() -> store.get(Blocks.idOf(a))).isInstanceOf(NoSuchFileException.class);
        assertThat(store.get(Blocks.idOf(b))).isEqualTo(b);
        assertThat(store.ids()).containsExactly(Blocks.idOf(b));
    }

    @Test
    void deletedBlockCanBePutAgain() throws Exception {
        byte[] a = Blocks.random(100);
        store.put(Blocks.idOf(a), a);
        store.delete(List.of(Blocks.idOf(a)));
        store.put(Blocks.idOf(a), a);
        assertThat(store.get(Blocks.idOf(a))).isEqualTo(a);
    }

    @Test
    void missingBlockIsNotFound() {
        BlockId id = Blocks.idOf(Blocks.random(10));
        assertThatThrownBy(() -> store.get(id)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.openStream(id)).isInstanceOf(NoSuchFileException.class);
        assertThat(store.has(id)).isFalse();
    }

    @Test
    void oversizedBlockIsRefused() {
        byte[] data = new byte[BlockStore.MAX_BLOCK_BYTES + 1];
        try (BlockStore.Batch batch = store.newBatch()) {
            assertThatThrownBy(() -> batch.put(Blocks.idOf(data), data, 0, data.length))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
