package io.sklad.tests.healing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.chunkstore.MaintenanceConfig;
import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.metadata.HealingConfig;
import io.sklad.metadata.MasterConfig;
import io.sklad.metadata.MasterServer;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.RepairProgress;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic block reports reconcile the master's replica rows with what the workers really hold: a real
 * master and four real workers in-process (report every 500 ms), a file at R=3, then each worker's store
 * changed behind the master's back. A copy that vanished is forgotten by the next report and re-made by
 * repair; a copy the master did not know of is registered (and, being a fourth copy, trimmed); a block the
 * master never heard of is deleted once the GC grace period has passed.
 */
class BlockReportTest {

    static final String PASSWORD = "report-Pass-1";

    @TempDir
    Path dir;

    @Test
    void reportsReconcileLostUnknownAndForeignCopies() throws Exception {
        MasterConfig mc = MasterConfig.defaults(dir.resolve("master")).withListenPort(0)
                .withNodeTimeouts(Duration.ofMillis(1500), Duration.ofSeconds(20))
                .withHealing(HealingConfig.defaults().withRepair(Duration.ofMillis(300), 4, 1L << 30)
                        .withGc(Duration.ofSeconds(1), Duration.ofMillis(300)));
        List<WorkerServer> workers = new ArrayList<>();
        try (MasterServer master = new MasterServer(mc).start()) {
            master.ensureAdmin(PASSWORD);
            String address = "127.0.0.1:" + master.port();
            for (int i = 0; i < 4; i++) {
                WorkerServer w = new WorkerServer(new WorkerConfig(dir.resolve("w" + i), "127.0.0.1", 0, null, address,
                        master.joinToken(), Map.of(), 0, Duration.ofMillis(200)),
                        MaintenanceConfig.defaults().withScrub(0, Duration.ZERO)
                                .withBlockReportInterval(Duration.ofMillis(500)));
                w.start();
                workers.add(w);
            }
            try (SkladFileSystem fs = SkladFileSystem.open(AgentConfig.withPassword(address, "admin", PASSWORD,
                    dir.resolve("agent")))) {
                await("four workers alive", () -> fs.clusterStatus().nodes().size() == 4
                        && fs.clusterStatus().nodes().stream().allMatch(n -> n.state().name().equals("ALIVE")));
                fs.createVolume("v", 3, 64 * 1024);
                Path src = RandomFiles.create(dir.resolve("src"), 2_000_000, 7);
                Files.copy(src, fs.getPath("/v/f"));
                Map<String, List<Integer>> holders = holders(workers);
                assertThat(holders).hasSizeGreaterThan(25).allSatisfy((id, on) -> assertThat(on).hasSize(3));

                // one block (on workers 0, 1, 2) gains a copy on worker 3 that the master never recorded
                String extraId = holders.entrySet().stream().filter(e -> !e.getValue().contains(3))
                        .findFirst().orElseThrow().getKey();
                workers.get(3).blockStore().put(BlockId.fromHex(extraId),
                        workers.get(0).blockStore().get(BlockId.fromHex(extraId)));
                // worker 0 loses the other copies it holds (a lost file, say) without the master being told
                List<BlockId> lost = new ArrayList<>();
                holders.forEach((id, on) -> {
                    if (on.contains(0) && !id.equals(extraId)) {
                        lost.add(BlockId.fromHex(id));
                    }
                });
                assertThat(lost).isNotEmpty();
                long repairedBefore = fs.clusterStatus().repair().repairedBlocks();
                workers.get(0).blockStore().delete(lost);
                // and an id arrives that the master never heard of
                byte[] foreign = new byte[4096];
                new SecureRandom().nextBytes(foreign);
                BlockId foreignId = BlockId.sha256(foreign, 0, foreign.length);
                workers.get(1).blockStore().put(foreignId, foreign);

                await("lost copies re-made and the surplus trimmed", () -> {
                    RepairProgress r = fs.clusterStatus().repair();
                    Map<String, List<Integer>> now = holders(workers);
                    return r.repairedBlocks() >= repairedBefore + lost.size() && r.blocksAtRisk() == 0
                            && r.trimmedBlocks() >= 1 && now.keySet().containsAll(holders.keySet())
                            && holders.keySet().stream().allMatch(id -> now.get(id).size() == 3);
                });
                await("the foreign block deleted after the grace period",
                        () -> !workers.get(1).blockStore().has(foreignId));
                try (InputStream in = Files.newInputStream(fs.getPath("/v/f"))) {
                    assertThat(RandomFiles.sha256(in)).isEqualTo(RandomFiles.sha256(src));
                }
            }
        } finally {
            for (WorkerServer w : workers) {
                w.close();
            }
        }
    }

    /** Which workers hold each block, read from their own files. */
    Map<String, List<Integer>> holders(List<WorkerServer> workers) throws IOException {
        Map<String, List<Integer>> out = new HashMap<>();
        for (int i = 0; i < workers.size(); i++) {
            List<String> ids = LocalDiskBlockStore.listBlockIds(dir.resolve("w" + i));
            for (String id : ids) {
                out.computeIfAbsent(id, k -> new ArrayList<>()).add(i);
            }
        }
        return out;
    }

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
