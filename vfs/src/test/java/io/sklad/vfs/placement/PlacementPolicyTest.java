package io.sklad.vfs.placement;

import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.WorkerNode;
import io.sklad.vfs.codec.BlockCodec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementPolicyTest {

    private final PlacementPolicy policy = new PlacementPolicy();

    private static BlockId block(int i) {
        return BlockCodec.idOf(ByteBuffer.wrap(("block-" + i).getBytes()));
    }

    private static WorkerNode node(String id, long free, String site) {
        return WorkerNode.of(id, id + ":1", free, site == null ? Map.of() : Map.of("site", site));
    }

    private static List<WorkerNode> nodes(int n) {
        List<WorkerNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(node("n" + i, 1L << 40, null));
        }
        return out;
    }

    @Test
    void sameInputsGiveTheSameRankingWhateverTheNodeOrder() {
        List<WorkerNode> nodes = nodes(7);
        List<WorkerNode> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, new java.util.Random(1));
        for (int i = 0; i < 100; i++) {
            assertThat(policy.rank(block(i), shuffled)).isEqualTo(policy.rank(block(i), nodes));
        }
    }

    @Test
    void placesOnDistinctNodesAndRankHasEveryNodeOnce() {
        List<WorkerNode> nodes = nodes(5);
        for (int i = 0; i < 200; i++) {
            List<WorkerNode> placed = policy.place(block(i), nodes, 3);
            assertThat(placed).hasSize(3).doesNotHaveDuplicates();
            List<WorkerNode> rank = policy.rank(block(i), nodes);
            assertThat(rank).containsExactlyInAnyOrderElementsOf(nodes);
            assertThat(rank.subList(0, 3)).isEqualTo(placed);
        }
        assertThat(policy.place(block(1), nodes(2), 3)).hasSize(2);
    }

    @Test
    void spreadsOverSitesFirst() {
        List<WorkerNode> nodes = List.of(
                node("a1", 1L << 40, "a"), node("a2", 1L << 40, "a"), node("a3", 1L << 40, "a"),
                node("b1", 1L << 40, "b"), node("b2", 1L << 40, "b"),
                node("c1", 1L << 40, "c"));
        for (int i = 0; i < 300; i++) {
            List<WorkerNode> placed = policy.place(block(i), nodes, 3);
            Set<String> sites = new HashSet<>();
            placed.forEach(n -> sites.add(n.labels().get("site")));
            assertThat(sites).as("block %d on %s", i, placed).hasSize(3);
        }
        // R above the number of sites: every site once, then the rest
        for (int i = 0; i < 100; i++) {
            List<WorkerNode> placed = policy.place(block(i), nodes, 5);
            Set<String> firstThree = new HashSet<>();
            placed.subList(0, 3).forEach(n -> firstThree.add(n.labels().get("site")));
            assertThat(firstThree).hasSize(3);
            assertThat(placed).doesNotHaveDuplicates();
        }
    }

    @Test
    void nodesWithoutSiteAreTheirOwnDomain() {
        List<WorkerNode> nodes = List.of(node("a1", 1L << 40, "a"), node("a2", 1L << 40, "a"),
                node("x", 1L << 40, null), node("y", 1L << 40, null));
        for (int i = 0; i < 100; i++) {
            List<WorkerNode> placed = policy.place(block(i), nodes, 3);
            long fromA = placed.stream().filter(n -> "a".equals(n.labels().get("site"))).count();
            assertThat(fromA).isEqualTo(1);
        }
    }

    @Test
    void weightsShiftTheShareRoughlyProportionally() {
        List<WorkerNode> nodes = List.of(node("small", 1L << 30, null), node("big", 3L << 30, null));
        Map<String, Integer> wins = new HashMap<>();
        int blocks = 20_000;
        for (int i = 0; i < blocks; i++) {
            wins.merge(policy.place(block(i), nodes, 1).get(0).nodeId(), 1, Integer::sum);
        }
        double bigShare = wins.get("big") / (double) blocks;
        assertThat(bigShare).isBetween(0.72, 0.78);
    }

    @Test
    void equalWeightsSpreadEvenly() {
        List<WorkerNode> nodes = nodes(4);
        Map<String, Integer> wins = new HashMap<>();
        for (int i = 0; i < 8000; i++) {
            wins.merge(policy.place(block(i), nodes, 1).get(0).nodeId(), 1, Integer::sum);
        }
        assertThat(wins.values()).allSatisfy(w -> assertThat(w).isBetween(1800, 2200));
    }

    @Test
    void removingANodeMovesOnlyItsBlocksAndFallbackIsTheNextInRank() {
        List<WorkerNode> nodes = nodes(6);
        WorkerNode gone = nodes.get(2);
        List<WorkerNode> without = new ArrayList<>(nodes);
        without.remove(gone);
        for (int i = 0; i < 300; i++) {
            List<WorkerNode> before = policy.place(block(i), nodes, 3);
            List<WorkerNode> after = policy.place(block(i), without, 3);
            if (!before.contains(gone)) {
                assertThat(after).isEqualTo(before);
            } else {
                List<WorkerNode> rank = new ArrayList<>(policy.rank(block(i), nodes));
                rank.remove(gone);
                assertThat(after).isEqualTo(rank.subList(0, 3));
            }
        }
    }

    @Test
    void readOnlyNodesGetNothing() {
        List<WorkerNode> nodes = new ArrayList<>(nodes(3));
        WorkerNode ro = new WorkerNode("ro", "ro:1", Map.of(), 1L << 40, 0, 1L << 40,
                io.sklad.vfs.client.NodeState.ALIVE, 0, 0, true);
        nodes.add(ro);
        for (int i = 0; i < 100; i++) {
            assertThat(policy.rank(block(i), nodes)).doesNotContain(ro);
        }
    }
}
