package io.sklad.metadata.repair;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeAdministration;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.node.ReplicationListener.Outcome;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.sklad.metadata.repair.HealingFixture.ADMIN;
import static io.sklad.metadata.repair.HealingFixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RepairSchedulerTest {
    final HealingFixture f = new HealingFixture();

    @AfterEach
    void close() {
        f.close();
    }

    RepairScheduler scheduler(HealingConfig config) {
        return new RepairScheduler(f.store, f.store::nodes, f.queue, config, f.clock);
    }

    RepairScheduler scheduler() {
        return scheduler(HealingFixture.config());
    }

    /** Lets the given nodes go silent past the dead timeout while the others keep beating. */
    void die(List<String> alive) {
        for (int i = 0; i < 7; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            f.beat(alive.toArray(String[]::new));
        }
    }

    /** The commands queued for any of these nodes (drained). */
    List<NodeCommand> fromAny(String... nodes) {
        List<NodeCommand> out = new java.util.ArrayList<>();
        for (String n : nodes) {
            out.addAll(f.commands(n));
        }
        return out;
    }

    static NodeCommand.Replicate replicate(List<NodeCommand> cmds) {
        assertThat(cmds).hasSize(1).first().isInstanceOf(NodeCommand.Replicate.class);
        return (NodeCommand.Replicate) cmds.get(0);
    }

    @Test
    void mostEndangeredFirstWithinThePerNodeBound() {
        for (String n : List.of("n1", "n2", "n3", "n4", "n5")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        BlockId a = id("a");
        BlockId b = id("b");
        f.file("v", a, "n1", "n2", "n3");
        f.file("v", b, "n1", "n4", "n5");
        die(List.of("n3", "n4", "n5"));

        // one copy in flight per node at most: A (one live copy left) goes first and keeps n4 and n5 busy
        RepairScheduler s = scheduler(HealingFixture.config().withRepair(Duration.ofSeconds(1), 1, 1L << 30));
        assertThat(s.runOnce()).isEqualTo(1);
        NodeCommand.Replicate r = replicate(f.commands("n3"));
        assertThat(r.block()).isEqualTo(a);
        assertThat(r.targetNodeIds()).containsExactlyInAnyOrder("n4", "n5");
        assertThat(f.commands("n4")).isEmpty();
        assertThat(f.commands("n5")).isEmpty();
        RepairProgress p = s.progress();
        assertThat(p.blocksAtRisk()).isEqualTo(2);
        assertThat(p.blocksRepairing()).isEqualTo(1);
        assertThat(p.bytesAtRisk()).isEqualTo(3 * HealingFixture.BLOCK);

        // nothing new while A is in flight
        assertThat(s.runOnce()).isZero();
        s.replicated("n3", a, "n4", Outcome.COPIED);
        s.replicated("n3", a, "n5", Outcome.COPIED);
        assertThat(s.progress().repairedBlocks()).isEqualTo(2);
        assertThat(s.runOnce()).isEqualTo(1);
        NodeCommand.Replicate rb = replicate(fromAny("n4", "n5"));
        assertThat(rb.block()).isEqualTo(b);
        assertThat(rb.targetNodeIds()).containsExactly("n3");
    }

    @Test
    void aConfirmedCopyCountsAndProgressReachesFullRedundancy() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        BlockId a = id("a");
        f.file("v", a, "n1", "n2", "n3");
        die(List.of("n2", "n3", "n4"));
        RepairScheduler s = scheduler();
        s.runOnce();
        NodeCommand.Replicate r = replicate(fromAny("n2", "n3"));
        assertThat(r.targetNodeIds()).containsExactly("n4");
        assertThat(s.progress().etaSeconds()).isEqualTo(-1);
        f.clock.advance(Duration.ofSeconds(1));
        s.replicated("n2", a, "n4", Outcome.COPIED);
        s.runOnce();
        RepairProgress p = s.progress();
        assertThat(p.blocksAtRisk()).isZero();
        assertThat(p.blocksRepairing()).isZero();
        assertThat(p.etaSeconds()).isZero();
        assertThat(p.repairedBytesPerSecond()).isPositive();
        assertThat(f.store.findBlocks(List.of(a)).get(0).replicas()).extracting(n -> n.nodeId())
                .containsExactlyInAnyOrder("n2", "n3", "n4");
    }

    @Test
    void targetsSpreadOverSitesThenFreeSpace() {
        f.node("a1", "a");
        f.node("a2", "a");
        f.node("b1", "b");
        f.node("b2", "b");
        f.node("c1", "c", 500);
        f.node("c2", "c", 0);
        f.volume("v", 3);
        BlockId x = id("x");
        f.file("v", x, "a1", "b1", "c1");
        die(List.of("a1", "a2", "b1", "b2", "c2"));
        scheduler().runOnce();
        NodeCommand.Replicate r = replicate(fromAny("a1", "b1"));
        // site c lost its copy: the new one goes there, not to a second copy in a or b
        assertThat(r.targetNodeIds()).containsExactly("c2");
    }

    @Test
    void aBusySiteIsWaitedForRatherThanDoubledUp() {
        f.node("a1", "a");
        f.node("b1", "b");
        f.node("c1", "c");
        f.node("c2", "c");
        f.node("a2", "a");
        f.volume("v", 3);
        BlockId x = id("x");
        BlockId y = id("y");
        f.file("v", x, "a1", "b1", "c1");
        f.file("v", y, "a2", "b1", "c1");
        die(List.of("a1", "a2", "b1", "c2"));
        // one copy in flight per node: x and y both need a copy in site c, which only c2 can take
        RepairScheduler s = scheduler(HealingFixture.config().withRepair(Duration.ofSeconds(1), 1, 1L << 30));
        assertThat(s.runOnce()).isEqualTo(1);
        List<NodeCommand> cmds = fromAny("a1", "a2", "b1");
        assertThat(cmds).hasSize(1);
        assertThat(replicate(cmds).targetNodeIds()).containsExactly("c2");
    }

    @Test
    void targetsAvoidReadOnlyAndDrainingNodesAndHoldersAndSitesAlreadyCovered() {
        for (String n : List.of("n1", "n2", "n3", "n4", "n5", "n6")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        f.readOnly("n4");
        f.store.setDraining("n5", true);
        die(List.of("n2", "n3", "n4", "n5", "n6"));
        f.readOnly("n4");
        scheduler().runOnce();
        NodeCommand.Replicate r = replicate(fromAny("n2", "n3"));
        assertThat(r.targetNodeIds()).containsExactly("n6");
    }

    @Test
    void drainingMovesBlocksAwayAndRemoveWaitsForIt() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        NodeAdministration admin = new NodeAdministration(f.store, f.store, f.queue);
        // n1 holds nothing that only it has... but R = 3 on 4 nodes: without n1, x has 2 copies
        assertThat(admin.drain(ADMIN, "n1", false).blocksOnlyHere()).isEqualTo(1);
        MetadataException refused = catchThrowableOfType(MetadataException.class, () -> admin.remove(ADMIN, "n1"));
        assertThat(refused.code()).isEqualTo(MetaError.CONFLICT);

        RepairScheduler s = scheduler();
        s.runOnce();
        // the draining node is the preferred source: its copy is the one that must move
        NodeCommand.Replicate r = replicate(f.commands("n1"));
        assertThat(r.targetNodeIds()).containsExactly("n4");
        s.replicated("n1", x, "n4", Outcome.COPIED);
        assertThat(f.store.blocksOnlyOn("n1")).isZero();
        admin.remove(ADMIN, "n1");
        assertThat(f.store.nodes()).extracting(n -> n.nodeId()).containsExactly("n2", "n3", "n4");
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).hasSize(3);
    }

    @Test
    void aNodeThatComesBackHasItsSurplusCopiesTrimmedFromTheFullestNode() {
        f.node("n1", "a", 100);
        f.node("n2", "b", 900);
        f.node("n3", "c", 100);
        f.node("n4", "a", 500);
        f.volume("v", 3);
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3", "n4");
        RepairScheduler s = scheduler();
        s.runOnce();
        // four copies, three wanted: site a has two, so one of those goes — the fuller n4, not the fullest n2
        assertThat(f.commands("n4")).singleElement().isEqualTo(new NodeCommand.Delete(List.of(x)));
        assertThat(f.commands("n2")).isEmpty();
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).extracting(n -> n.nodeId())
                .containsExactlyInAnyOrder("n1", "n2", "n3");
        assertThat(s.progress().trimmedBlocks()).isEqualTo(1);
        assertThat(s.runOnce()).isZero();
    }

    @Test
    void bytesPerSecondBudgetSpreadsCopiesOverTime() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 2);
        for (int i = 0; i < 4; i++) {
            f.file("v", id("b" + i), "n1", "n2");
        }
        die(List.of("n1", "n3", "n4"));
        // 100 KB/s per node: one 64 KiB block per second from n1
        RepairScheduler s = scheduler(HealingFixture.config().withRepair(Duration.ofSeconds(1), 100, 100_000));
        assertThat(s.runOnce()).isEqualTo(1);
        assertThat(s.runOnce()).isZero();
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(s.runOnce()).isEqualTo(1);
        assertThat(f.commands("n1")).hasSize(2);
    }

    @Test
    void anUnconfirmedCopyIsOrderedAgainAfterTheTimeoutAndAMissingSourceIsForgotten() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        BlockId x = id("x");
        f.file("v", x, "n1", "n2", "n3");
        die(List.of("n2", "n3", "n4"));
        RepairScheduler s = scheduler(HealingFixture.config().withCopyTimeout(Duration.ofSeconds(30)));
        s.runOnce();
        assertThat(replicate(fromAny("n2", "n3")).targetNodeIds()).containsExactly("n4");
        assertThat(s.runOnce()).isZero();
        f.clock.advance(Duration.ofSeconds(31));
        f.beat("n2", "n3", "n4");
        assertThat(s.runOnce()).isEqualTo(1);
        String again = f.commands("n2").isEmpty() ? "n3" : "n2";
        s.replicated(again, x, "n4", Outcome.SOURCE_MISSING);
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).extracting(n -> n.nodeId())
                .doesNotContain(again);
    }
}
