package io.sklad.metadata.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaOrderTest {

    private static NodeStatus node(String id, NodeState state, long free) {
        return new NodeStatus(id, "127.0.0.1:1", Map.of(), new NodeStats(100, 100 - free, free, 0, false), state, 0);
    }

    @Test
    void readsOfManyBlocksStartOnEveryCopyNotOnTheEmptiestWorker() {
        List<NodeStatus> nodes = List.of(node("w-a", NodeState.ALIVE, 90), node("w-b", NodeState.ALIVE, 50),
                node("w-c", NodeState.ALIVE, 10));
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String block = String.format("%064x", (long) i * 0x9E3779B97F4A7C15L);
            List<NodeStatus> order = new ArrayList<>(nodes);
            order.sort(JdbcNodes.bestFirst(block));
            first.merge(order.get(0).nodeId(), 1, Integer::sum);
            List<NodeStatus> again = new ArrayList<>(nodes);
            java.util.Collections.reverse(again);
            again.sort(JdbcNodes.bestFirst(block));
            assertThat(again).as("same order for the same block").isEqualTo(order);
        }
        assertThat(first).containsOnlyKeys("w-a", "w-b", "w-c");
        first.values().forEach(n -> assertThat(n).isBetween(800, 1200));
    }

    @Test
    void aHealthyCopyIsAlwaysTriedBeforeASuspectOne() {
        List<NodeStatus> nodes = List.of(node("w-a", NodeState.SUSPECT, 90), node("w-b", NodeState.DRAINING, 50),
                node("w-c", NodeState.ALIVE, 10));
        for (int i = 0; i < 200; i++) {
            List<NodeStatus> order = new ArrayList<>(nodes);
            order.sort(JdbcNodes.bestFirst("block-" + i));
            assertThat(order).extracting(NodeStatus::nodeId).containsExactly("w-c", "w-b", "w-a");
        }
    }
}
