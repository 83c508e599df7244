package io.sklad.metadata.repair;

import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.node.NodeAdministration;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.node.ReplicationListener.CopyResult;
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

    /** The one copy task among the commands. */
    static NodeCommand.CopyBlocks task(List<NodeCommand> cmds) {
        assertThat(cmds).hasSize(1).first().isInstanceOf(NodeCommand.CopyBlocks.class);
        return (NodeCommand.CopyBlocks) cmds.get(0);
    }

    /** The source reports every block of the task copied. */
    static void done(RepairScheduler s, String source, NodeCommand.CopyBlocks t) {
        s.copied(source, new CopyResult(t.taskId(), t.targetNodeId(), t.blocks(), List.of(), List.of()));
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

        // one task in flight per node at most: A (one live copy left) goes first; B's only target, n3, is busy
        RepairScheduler s = scheduler(HealingFixture.config().withRepair(Duration.ofSeconds(1), 1, 1L << 30));
        assertThat(s.runOnce()).isEqualTo(1);
        NodeCommand.CopyBlocks t = task(f.commands("n3"));
        assertThat(t.blocks()).containsExactly(a);
        assertThat(t.targetNodeId()).isIn("n4", "n5");
        assertThat(fromAny("n4", "n5")).isEmpty();
        RepairProgress p = s.progress();
        assertThat(p.blocksAtRisk()).isEqualTo(2);
        assertThat(p.blocksRepairing()).isEqualTo(1);
        assertThat(p.bytesAtRisk()).isEqualTo(3 * HealingFixture.BLOCK);

        // nothing new while A is in flight
        assertThat(s.runOnce()).isZero();
        done(s, "n3", t);
        assertThat(s.progress().repairedBlocks()).isEqualTo(1);
        assertThat(s.runOnce()).isEqualTo(1);
        // A's third copy (it has two now, B has two too, and A sorts first by id or count) or B's
        NodeCommand.CopyBlocks next = task(fromAny("n3", "n4", "n5"));
        assertThat(next.blocks()).hasSize(1);
    }

    @Test
    void blocksGoInTasksOfUpToTheBoundFromOneSourceToOneTarget() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        List<BlockId> blocks = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            BlockId b = id("blk" + i);
            blocks.add(b);
            f.file("v", b, "n1", "n2", "n3");
        }
        die(List.of("n1", "n2", "n4"));
        RepairScheduler s = scheduler();
        assertThat(s.runOnce()).isEqualTo(300);
        // n1 fills a task to n4 first; with n1's task full, n2 (less loaded than n1 now) opens the second
        NodeCommand.CopyBlocks first = task(f.commands("n1"));
        NodeCommand.CopyBlocks second = task(f.commands("n2"));
        assertThat(first.blocks()).hasSize(HealingConfig.DEFAULT_BLOCKS_PER_TASK);
        assertThat(second.blocks()).hasSize(300 - HealingConfig.DEFAULT_BLOCKS_PER_TASK);
        assertThat(first.targetNodeId()).isEqualTo("n4");
        assertThat(second.targetNodeId()).isEqualTo("n4");
        assertThat(s.tasksInFlight()).isEqualTo(2);
        assertThat(s.progress().blocksRepairing()).isEqualTo(300);

        // one task fails half-way: its copied blocks count, the rest is ordered again in the next pass
        List<BlockId> half = first.blocks().subList(0, 100);
        List<BlockId> rest = first.blocks().subList(100, first.blocks().size());
        s.copied("n1", new CopyResult(first.taskId(), "n4", half, rest, List.of()));
        done(s, "n2", second);
        assertThat(s.tasksInFlight()).isZero();
        assertThat(s.progress().repairedBlocks()).isEqualTo(100 + second.blocks().size());
        assertThat(s.runOnce()).isEqualTo(rest.size());
        NodeCommand.CopyBlocks again = task(f.commands("n1"));
        assertThat(again.blocks()).containsExactlyInAnyOrderElementsOf(rest);
        done(s, "n1", again);
        s.runOnce();
        assertThat(s.progress().blocksAtRisk()).isZero();
        assertThat(s.progress().repairedBlocks()).isEqualTo(300);
        assertThat(f.store.findBlocks(blocks)).allSatisfy(l -> assertThat(l.replicas()).hasSize(3));
    }

    @Test
    void aDrainingNodeSendsEveryBlockInSeveralFullTasksToTheSameTarget() {
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            f.node(n, "s-" + n);
        }
        f.volume("v", 3);
        List<BlockId> blocks = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
            BlockId b = id("d" + i);
            blocks.add(b);
            f.file("v", b, "n1", "n2", "n3");
        }
        f.store.setDraining("n1", true);
        RepairScheduler s = scheduler();
        assertThat(s.runOnce()).isEqualTo(600);
        // the draining node is every block's source and n4 the only target: three tasks, each one queued
        List<NodeCommand> cmds = f.commands("n1");
        assertThat(cmds).hasSize(3).allSatisfy(c -> assertThat(((NodeCommand.CopyBlocks) c).targetNodeId())
                .isEqualTo("n4"));
        assertThat(cmds.stream().mapToInt(c -> ((NodeCommand.CopyBlocks) c).blocks().size()).boxed().toList())
                .containsExactly(256, 256, 88);
        cmds.forEach(c -> done(s, "n1", (NodeCommand.CopyBlocks) c));
        assertThat(s.tasksInFlight()).isZero();
        s.runOnce();
        assertThat(s.progress().blocksAtRisk()).isZero();
        assertThat(f.store.blocksOnlyOn("n1")).isZero();
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
        NodeCommand.CopyBlocks r = task(fromAny("n2", "n3"));
        assertThat(r.targetNodeId()).isEqualTo("n4");
        assertThat(r.blocks()).containsExactly(a);
        assertThat(s.progress().etaSeconds()).isEqualTo(-1);
        f.clock.advance(Duration.ofSeconds(1));
        done(s, "n2", r);
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
        NodeCommand.CopyBlocks r = task(fromAny("a1", "b1"));
        // site c lost its copy: the new one goes there, not to a second copy in a or b
        assertThat(r.targetNodeId()).isEqualTo("c2");
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
        // one task in flight per node: x and y both need a copy in site c, which only c2 can take, and no
        // source holds both (a1 is preferred for x over b1 by id, a2 for y): y waits rather than go to site a or b
        RepairScheduler s = scheduler(HealingFixture.config().withRepair(Duration.ofSeconds(1), 1, 1L << 30));
        assertThat(s.runOnce()).isEqualTo(1);
        List<NodeCommand> cmds = fromAny("a1", "a2", "b1");
        assertThat(task(cmds).targetNodeId()).isEqualTo("c2");
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
        assertThat(task(fromAny("n2", "n3")).targetNodeId()).isEqualTo("n6");
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
        NodeCommand.CopyBlocks r = task(f.commands("n1"));
        assertThat(r.targetNodeId()).isEqualTo("n4");
        done(s, "n1", r);
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
        assertThat(f.commands("n1")).hasSize(2).allSatisfy(c ->
                assertThat(((NodeCommand.CopyBlocks) c).blocks()).hasSize(1));
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
        assertThat(task(fromAny("n2", "n3")).targetNodeId()).isEqualTo("n4");
        assertThat(s.runOnce()).isZero();
        f.clock.advance(Duration.ofSeconds(31));
        f.beat("n2", "n3", "n4");
        assertThat(s.runOnce()).isEqualTo(1);
        List<NodeCommand> fromN2 = f.commands("n2");
        String again = fromN2.isEmpty() ? "n3" : "n2";
        NodeCommand.CopyBlocks t = task(fromN2.isEmpty() ? f.commands("n3") : fromN2);
        s.copied(again, new CopyResult(t.taskId(), "n4", List.of(), List.of(), List.of(x)));
        assertThat(f.store.findBlocks(List.of(x)).get(0).replicas()).extracting(n -> n.nodeId())
                .doesNotContain(again);
    }
}
