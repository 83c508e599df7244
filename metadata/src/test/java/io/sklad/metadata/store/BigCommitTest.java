package io.sklad.metadata.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commits of big files on the real store (H2 in file mode, as the master runs it): the first commit of
 * {@code BIG / 4} and {@code BIG} blocks, a full rewrite of the big one, and a commit that changes 2 blocks of
 * it. Prints the times; the bounds are generous (they catch a per-row index scan, which made 16 384 blocks take
 * 16 s, not a slow machine). {@code BIG} is 16 384 blocks (1 GiB of 64 KiB blocks) in the build; the benchmark
 * of tests/bench/README.md runs it at backup size with {@code -Dsklad.bigcommit.blocks=65536} (4 GiB).
 */
class BigCommitTest {
    private static final Principal ADMIN = new Principal("admin", true);
    private static final int BS = 64 * 1024;
    private static final int BIG = Integer.getInteger("sklad.bigcommit.blocks", 16_384);

    @TempDir
    Path dir;
    JdbcMetadataStore store;

    @BeforeEach
    void open() {
        // the master's own database URL (H2 file, durable commits)
        String url = io.sklad.metadata.MasterConfig.defaults(dir).effectiveJdbcUrl();
        store = new JdbcMetadataStore(Database.open(url),
                new StorePolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 2), Clock.systemUTC());
        for (String n : List.of("n1", "n2", "n3")) {
            store.registerNode(n, "127.0.0.1:1", Map.of(), new NodeStats(1L << 40, 0, 1L << 40, 0, false));
        }
        store.createVolume(ADMIN, "v", 3, BS);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void bigCommitsAreFastAndAddRowsOnlyForChangedBlocks() {
        int smallCount = BIG / 4;
        EntryInfo small = commitNew("/small", smallCount, "a");
        EntryInfo big = commitNew("/big", BIG, "b");

        EntryInfo big2 = commit("rewrite of " + BIG + " blocks", new CommitRequest("v", big.inode(), big.version(),
                (long) BIG * BS, blocks(0, BIG, "c"), null));

        StoreCounts before = store.counts();
        int late = BIG - 5;
        List<CommittedBlock> two = List.of(block(17, "d"), block(late, "d"));
        long t = System.nanoTime();
        store.commitVersion(ADMIN, new CommitRequest("v", big2.inode(), big2.version(), (long) BIG * BS, two, null));
        long tookTwo = report("2 changed of " + BIG + " blocks", t);
        StoreCounts after = store.counts();
        assertThat(after.blockMapRows() - before.blockMapRows()).isEqualTo(2);
        assertThat(tookTwo).as("a 2-block commit does not scale with the file").isLessThan(5_000);

        // an unchanged block sent again (same index, same id) adds no row either
        EntryInfo small2 = store.commitVersion(ADMIN, new CommitRequest("v", small.inode(), small.version(),
                (long) smallCount * BS, List.of(block(5, "a")), null));
        assertThat(store.counts().blockMapRows()).isEqualTo(after.blockMapRows());
        assertThat(store.blockMap(ADMIN, "v", small2.inode(), 0, 0, Long.MAX_VALUE, 10).blocks().get(5).id())
                .isEqualTo(id("a-5"));
        assertThat(store.blockMap(ADMIN, "v", big2.inode(), 0, late, Long.MAX_VALUE, 1).blocks().get(0).id())
                .isEqualTo(id("d-" + late));
    }

    private EntryInfo commitNew(String path, int count, String seed) {
        EntryInfo e = store.createFile(ADMIN, "v", path, NewAttributes.defaults(), true).entry();
        return commit("first commit of " + count + " blocks", new CommitRequest("v", e.inode(), e.version(),
                (long) count * BS, blocks(0, count, seed), null));
    }

    /** As the master does for a streamed commit: blocks recorded part by part (no lock), then the commit. */
    private EntryInfo commit(String what, CommitRequest r) {
        long t = System.nanoTime();
        for (int i = 0; i < r.blocks().size(); i += 4096) {
            store.registerBlocks(ADMIN, r.volume(), r.blocks().subList(i, Math.min(r.blocks().size(), i + 4096)));
        }
        report(what + ": blocks recorded in parts", t);
        t = System.nanoTime();
        EntryInfo out = store.commitVersion(ADMIN, new CommitRequest(r.volume(), r.inode(), r.baseVersion(), r.size(),
                r.blocks(), r.attributes(), true));
        report(what + ": the commit (namespace lock held)", t);
        return out;
    }

    private static long report(String what, long startNanos) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        System.out.printf("BigCommitTest: %s took %d ms%n", what, ms);
        assertThat(ms).as(what).isLessThan(60_000);
        return ms;
    }

    private static List<CommittedBlock> blocks(int from, int to, String seed) {
        List<CommittedBlock> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(block(i, seed));
        }
        return out;
    }

    private static CommittedBlock block(long index, String seed) {
        return new CommittedBlock(index, id(seed + "-" + index), BS, List.of("n1", "n2", "n3"));
    }

    private static BlockId id(String seed) {
        try {
            return new BlockId(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
