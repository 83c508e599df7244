package io.sklad.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.cli.cluster.EmbeddedCluster;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where blocks land, checked in the workers' own stores (not in the master's tables): with more workers
 * than replicas every block is on exactly R distinct workers, and with failure domains one copy per site.
 */
class PlacementTest {

    @TempDir
    Path dir;

    static EmbeddedCluster.Settings settings(Path dir, int workers, Map<String, Map<String, String>> labels) {
        EmbeddedCluster.Settings d = EmbeddedCluster.Settings.defaults(dir.resolve("cluster")).withMasterPort(0);
        return new EmbeddedCluster.Settings(d.dataDir(), d.host(), 0, workers, d.suspectAfter(), d.deadAfter(),
                Duration.ofMillis(500), labels, d.tokenTtl());
    }

    /** Writes a few files (random, so no dedup) and returns how many workers hold each block. */
    static Map<String, Set<Integer>> writeAndCount(EmbeddedCluster cluster, Path dir, int workers) throws Exception {
        try (SkladFileSystem fs = SkladFileSystem.open(AgentConfig.withPassword(cluster.masterAddress(), "admin", "pw",
                dir.resolve("agent")))) {
            fs.createVolume("v", 3, 64 * 1024);
            for (int i = 0; i < 4; i++) {
                Path src = RandomFiles.create(dir.resolve("src" + i), 3_000_000L + i * 65_537L, i);
                Files.copy(src, fs.getPath("/v/f" + i));
                try (InputStream in = Files.newInputStream(fs.getPath("/v/f" + i))) {
                    assertThat(RandomFiles.sha256(in)).isEqualTo(RandomFiles.sha256(src));
                }
            }
        }
        Map<String, Set<Integer>> holders = new HashMap<>();
        for (int w = 1; w <= workers; w++) {
            for (String id : LocalDiskBlockStore.listBlockIds(cluster.workerDir(w))) {
                holders.computeIfAbsent(id, k -> new HashSet<>()).add(w);
            }
        }
        return holders;
    }

    @Test
    void everyBlockIsOnExactlyThreeOfFiveWorkers() throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start(settings(dir, 5, Map.of()), "pw", Duration.ofSeconds(60))) {
            Map<String, Set<Integer>> holders = writeAndCount(cluster, dir, 5);
            // 4 files of ~3 MB in 64 KiB blocks
            assertThat(holders).hasSizeGreaterThan(4 * 45);
            assertThat(holders.values()).allSatisfy(h -> assertThat(h).hasSize(3));
            // and the load is spread: every worker holds a fair share (rendezvous hashing over equal disks)
            Map<Integer, Integer> perWorker = new HashMap<>();
            holders.values().forEach(h -> h.forEach(w -> perWorker.merge(w, 1, Integer::sum)));
            int total = holders.size() * 3;
            assertThat(perWorker).hasSize(5);
            assertThat(perWorker.values()).allSatisfy(n -> assertThat(n).isBetween(total / 5 / 2, total / 5 * 2));
        }
    }

    @Test
    void withThreeSitesEveryBlockHasOneCopyPerSite() throws Exception {
        Map<String, Map<String, String>> labels = Map.of(
                "1", Map.of("site", "a"), "2", Map.of("site", "a"),
                "3", Map.of("site", "b"), "4", Map.of("site", "b"),
                "5", Map.of("site", "c"), "6", Map.of("site", "c"));
        try (EmbeddedCluster cluster = EmbeddedCluster.start(settings(dir, 6, labels), "pw", Duration.ofSeconds(60))) {
            Map<String, Set<Integer>> holders = writeAndCount(cluster, dir, 6);
            assertThat(holders).isNotEmpty();
            for (Set<Integer> h : holders.values()) {
                Set<String> sites = new HashSet<>();
                h.forEach(w -> sites.add(labels.get(Integer.toString(w)).get("site")));
                assertThat(sites).as("sites of one block's copies " + h).containsExactlyInAnyOrder("a", "b", "c");
            }
        }
    }

}
