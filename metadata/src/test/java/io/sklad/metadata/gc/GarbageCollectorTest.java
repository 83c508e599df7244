package io.sklad.metadata.gc;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.repair.HealingFixture;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.CommitRequest;
import io.sklad.metadata.store.CommittedBlock;
import io.sklad.metadata.store.EntryInfo;
import io.sklad.metadata.store.EntryKind;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.NewAttributes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.sklad.metadata.repair.HealingFixture.ADMIN;
import static io.sklad.metadata.repair.HealingFixture.BLOCK;
import static io.sklad.metadata.repair.HealingFixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GarbageCollectorTest {
    static final Duration GRACE = Duration.ofSeconds(30);

    final HealingFixture f = new HealingFixture();
    GarbageCollector gc;

    @BeforeEach
    void setUp() {
        for (String n : List.of("n1", "n2", "n3")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        gc = new GarbageCollector(f.store, f.queue, HealingConfig.defaults().withGc(GRACE, Duration.ofSeconds(1)),
                f.clock);
    }

    @AfterEach
    void close() {
        f.close();
    }

    void later(Duration d) {
        f.clock.advance(d);
        f.beat("n1", "n2", "n3");
    }

    /** Deletes /f0 and lets a 1 s retention expire its history. */
    void deleteAndExpire() {
        f.store.setVolumeRetention("v", 1000);
        f.store.delete(ADMIN, "v", "/f0", false, EntryKind.FILE);
        later(Duration.ofSeconds(2));
    }

    @Test
    void historyKeepsBlocksUntilRetentionLetsThemGoAfterTheGracePeriod() {
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        f.store.delete(ADMIN, "v", "/f0", false, EntryKind.FILE);
        later(Duration.ofHours(2));
        // no retention: the deleted file stays in history, its block with it
        assertThat(gc.runOnce()).isZero();
        assertThat(gc.pending()).isZero();

        f.store.setVolumeRetention("v", 1000);
        later(Duration.ofSeconds(2));
        assertThat(gc.runOnce()).isZero();
        assertThat(gc.pending()).isEqualTo(1);
        later(GRACE.minusSeconds(5));
        assertThat(gc.runOnce()).isZero();
        later(Duration.ofSeconds(6));
        assertThat(gc.runOnce()).isEqualTo(3);
        for (String n : List.of("n1", "n2", "n3")) {
            assertThat(f.commands(n)).containsExactly(new NodeCommand.Delete(List.of(x)));
        }
        assertThat(f.store.findBlocks(List.of(x))).isEmpty();
        assertThat(gc.deleted()).isEqualTo(1);
    }

    @Test
    void aCommitReferencingAMarkedBlockRevivesIt() {
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        deleteAndExpire();
        gc.runOnce();
        assertThat(gc.pending()).isEqualTo(1);
        // the same content written again before the grace period is over: dedup finds the block ...
        assertThat(f.store.findBlocks(List.of(x))).hasSize(1);
        f.file("v", x, "n1", "n2", "n3");
        later(GRACE.plusSeconds(5));
        assertThat(gc.runOnce()).isZero();
        assertThat(gc.pending()).isZero();
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).hasSize(3);
    }

    @Test
    void aCommitAfterTheCollectionDoesNotCountCopiesOrderedDeleted() {
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        deleteAndExpire();
        gc.runOnce();
        later(GRACE.plusSeconds(1));
        assertThat(gc.runOnce()).isEqualTo(3);
        // an agent that found x just before (or uploaded it while the workers still had it) commits now:
        // its acknowledgements may predate the deletion, so they must not count
        EntryInfo e = f.store.createFile(ADMIN, "v", "/late", NewAttributes.defaults(), true).entry();
        MetadataException refused = catchThrowableOfType(MetadataException.class, () -> f.store.commitVersion(ADMIN,
                new CommitRequest("v", e.inode(), e.version(), BLOCK,
                        List.of(new CommittedBlock(0, x, BLOCK, List.of("n1", "n2", "n3"))), null)));
        assertThat(refused.code()).isEqualTo(MetaError.UNAVAILABLE);
        // once the orders are old, an upload made after them counts again
        later(Duration.ofMinutes(2));
        gc.runOnce();
        f.store.commitVersion(ADMIN, new CommitRequest("v", e.inode(), e.version(), BLOCK,
                List.of(new CommittedBlock(0, x, BLOCK, List.of("n1", "n2", "n3"))), null));
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).hasSize(3);
    }

    @Test
    void idsTheMasterNeverHeardOfAreDeletedAfterTheGracePeriodUnlessCommittedMeanwhile() {
        BlockId stray = id("stray");
        BlockId uploading = id("uploading");
        long gen = f.store.beginBlockReport("n1");
        f.store.addReportedBlocks("n1", gen, List.of(stray, uploading));
        f.store.finishBlockReport("n1", gen, f.clock.millis());
        gc.runOnce();
        assertThat(gc.pending()).isEqualTo(2);
        assertThat(f.commands("n1")).isEmpty();
        // the upload gets committed (acknowledged by n2 and n3): n1's copy becomes a replica
        f.file("v", uploading, "n2", "n3");
        later(GRACE.plusSeconds(1));
        assertThat(gc.runOnce()).isEqualTo(1);
        assertThat(f.commands("n1")).containsExactly(new NodeCommand.Delete(List.of(stray)));
        assertThat(f.store.findBlocks(List.of(uploading)).get(0).replicas()).extracting(n -> n.nodeId())
                .containsExactlyInAnyOrder("n1", "n2", "n3");
    }
}
