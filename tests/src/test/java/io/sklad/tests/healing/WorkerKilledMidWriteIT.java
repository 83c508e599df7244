package io.sklad.tests.healing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.Ports;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import io.sklad.vfs.client.BlockMapPage;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.FileVersionInfo;
import io.sklad.vfs.client.GrpcMetadataClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with {@code kill -9} in the middle of a large {@code sklad put}: real processes, a master
 * (write quorum 2) and four workers, a volume at R=3, a 128 MiB file. The put either completes — and then
 * reads back identical — or fails with a one-line error; either way no committed version of the file
 * references a block with fewer than write_quorum copies on the surviving workers (checked in their own
 * files, right after the put ends, before repair could add any), and repair then brings every block of it
 * back to three copies.
 */
class WorkerKilledMidWriteIT {

    static final String PASSWORD = "midwrite-Pass-1";
    static final long SIZE = 128L << 20;
    static final int WRITE_QUORUM = 2;
    static final int WORKERS = 4;

    @TempDir
    Path dir;

    int masterPort;
    SkladProcess master;
    final SkladProcess[] workers = new SkladProcess[WORKERS];
    SkladProcess put;

    Map<String, String> clientEnv() {
        return Map.of("SKLAD_MASTER", "127.0.0.1:" + masterPort, "SKLAD_USER", "admin", "SKLAD_PASSWORD", PASSWORD,
                "XDG_CACHE_HOME", dir.resolve("client-cache").toString());
    }

    CommandResult sklad(String... args) throws Exception {
        return Commands.run(dir, clientEnv(), 300, Commands.sklad(args));
    }

    @AfterEach
    void stop() throws Exception {
        if (put != null) {
            put.close();
        }
        for (SkladProcess w : workers) {
            if (w != null) {
                w.close();
            }
        }
        if (master != null) {
            master.close();
        }
    }

    @Test
    void aPutOutlivesAWorkerKilledMidWayOrFailsCleanlyAndNeverCommitsAnUnderQuorumBlock() throws Exception {
        masterPort = Ports.free();
        master = SkladProcess.start("master", dir, Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "master", "--data", dir.resolve("master").toString(), "--listen", "127.0.0.1:" + masterPort,
                "--suspect-after", "2s", "--dead-after", "6s", "--repair-interval", "1s");
        master.awaitOutput("sklad master listening on", Duration.ofSeconds(60));
        for (int i = 0; i < WORKERS; i++) {
            workers[i] = SkladProcess.start("worker" + i, dir, Map.of(),
                    "worker", "--data", workerDir(i).toString(), "--master", "127.0.0.1:" + masterPort,
                    "--listen", "127.0.0.1:0", "--join-token-file", dir.resolve("master/join.token").toString(),
                    "--heartbeat", "1s");
        }
        for (SkladProcess w : workers) {
            w.awaitOutput("serving blocks on", Duration.ofSeconds(60));
        }
        await("four workers alive", Duration.ofSeconds(60), () -> {
            CommandResult r = sklad("status", "--json");
            return r.exitCode() == 0 && r.stdout().split("\"state\": \"alive\"", -1).length - 1 == WORKERS;
        });
        CommandResult created = sklad("volume", "create", "main", "--replicas", "3");
        assertThat(created.exitCode()).as(created.toString()).isZero();

        Path src = RandomFiles.create(dir.resolve("big.bin"), SIZE, 2024);
        put = SkladProcess.start("put", dir, clientEnv(), "put", src.toString(), "/main/big");
        // a tenth of worker 0's share of the file's blocks on its disk: the put is well under way
        long expectedOnWorker0 = SIZE / 65_536 * 3 / WORKERS;
        await("the put under way", Duration.ofMinutes(3), () -> !put.isAlive()
                || LocalDiskBlockStore.listBlockIds(workerDir(0)).size() > expectedOnWorker0 / 10);
        assertThat(put.isAlive()).as("put still running when the worker is killed:\n" + put.output()).isTrue();
        workers[0].kill9();
        int exit = put.awaitExit(Duration.ofMinutes(8));
        String output = put.output();
        System.out.println("put of " + SIZE + " bytes with worker 0 killed mid-way exited " + exit + ": "
                + output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(""));

        // right away, before repair may add copies: every committed version has quorum on the survivors
        Map<String, Integer> survivors = copiesOnWorkers(1, 2, 3);
        List<BlockRef> committed = committedBlocks();
        for (BlockRef b : committed) {
            assertThat(survivors.getOrDefault(b.id().hex(), 0)).as("copies of committed block " + b.index()
                    + " on the surviving workers").isGreaterThanOrEqualTo(WRITE_QUORUM);
        }

        if (exit == 0) {
            assertThat(committed).hasSize((int) (SIZE / 65_536));
            Path back = dir.resolve("back.bin");
            CommandResult get = sklad("get", "/main/big", back.toString());
            assertThat(get.exitCode()).as(get.toString()).isZero();
            assertThat(RandomFiles.sha256(back)).isEqualTo(RandomFiles.sha256(src));
        } else {
            List<String> lines = output.lines().filter(l -> !l.isBlank() && !l.contains("\r")).toList();
            assertThat(lines).as("a failed put says why in one line:\n" + output).isNotEmpty();
            assertThat(lines.get(lines.size() - 1)).startsWith("sklad put: ").doesNotContain("Exception");
            assertThat(output).doesNotContain("\tat ");
        }

        await("every committed block back at three copies", Duration.ofMinutes(4), () -> {
            CommandResult r = sklad("status", "--json");
            if (r.exitCode() != 0 || !r.stdout().contains("\"blocks_at_risk\": 0,")) {
                return false;
            }
            Map<String, Integer> now = copiesOnWorkers(1, 2, 3);
            return committedBlocks().stream().allMatch(b -> now.getOrDefault(b.id().hex(), 0) == 3);
        });
    }

    Path workerDir(int i) {
        return dir.resolve("worker" + i);
    }

    Map<String, Integer> copiesOnWorkers(int... which) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (int i : which) {
            for (String id : new HashSet<>(LocalDiskBlockStore.listBlockIds(workerDir(i)))) {
                out.merge(id, 1, Integer::sum);
            }
        }
        return out;
    }

    /** Every non-hole block of every version of /main/big the master has committed (none if it does not exist). */
    List<BlockRef> committedBlocks() throws Exception {
        List<BlockRef> out = new ArrayList<>();
        try (GrpcMetadataClient meta = new GrpcMetadataClient("127.0.0.1:" + masterPort, Duration.ofSeconds(60))) {
            meta.useToken(meta.login("admin", PASSWORD).token());
            EntryInfo e;
            try {
                e = meta.stat("main", "/big");
            } catch (NoSuchFileException none) {
                return out;
            }
            Set<Long> seen = new HashSet<>();
            for (FileVersionInfo v : meta.listVersions("main", "/big")) {
                if (!seen.add(v.version())) {
                    continue;
                }
                long from = 0;
                while (true) {
                    BlockMapPage page = meta.getBlockMap("main", e.inode(), v.version(), from, 4096);
                    out.addAll(page.blocks());
                    if (page.blockSize() == 0) {
                        break;
                    }
                    long blocks = (page.size() + page.blockSize() - 1) / page.blockSize();
                    from += 4096;
                    if (from >= blocks) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
