package io.sklad.tests.healing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.Ports;
import io.sklad.tests.harness.SkladProcess;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.GrpcAdminClient;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.NodeReport;
import io.sklad.vfs.client.NodeState;
import io.sklad.vfs.client.WorkerNode;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-healing with real processes: {@code sklad master} with second-scale node timeouts and GC grace,
 * six {@code sklad worker} processes over three sites (the sixth is drained and removed, leaving five),
 * 500 small files written through one in-test {@link SkladFileSystem}, then real faults: bytes flipped in
 * and a truncated volume file on workers, deleted files, and three workers killed with {@code kill -9}.
 * What each worker holds is read from its own files ({@code sklad worker ls --data DIR}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealingIT {

    static final String PASSWORD = "healing-Pass-1";
    static final String[] SITES = {"a", "b", "c", "a", "b", "c"};
    static final int FILES = 500;
    static final int SCRATCH = 200;
    static final Duration REPAIR_WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    int masterPort;
    SkladProcess master;
    final SkladProcess[] workers = new SkladProcess[SITES.length];
    final String[] nodeIds = new String[SITES.length];
    final Set<Integer> live = new TreeSet<>();
    final Map<String, String> files = new LinkedHashMap<>();
    Set<String> mainBlocks;
    SkladFileSystem fs;
    AdminClient admin;
    int readers;

    @BeforeAll
    void startCluster() throws Exception {
        masterPort = Ports.free();
        master = SkladProcess.start("master", dir, Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "master", "--data", dir.resolve("master").toString(), "--listen", "127.0.0.1:" + masterPort,
                "--suspect-after", "2s", "--dead-after", "6s", "--repair-interval", "1s",
                "--gc-grace", "3s", "--gc-interval", "1s");
        master.awaitOutput("sklad master listening on", Duration.ofSeconds(60));
        for (int i = 0; i < SITES.length; i++) {
            workers[i] = SkladProcess.start("worker" + i, dir, Map.of(),
                    "worker", "--data", workerDir(i).toString(), "--master", "127.0.0.1:" + masterPort,
                    "--listen", "127.0.0.1:0", "--join-token-file", dir.resolve("master/join.token").toString(),
                    "--heartbeat", "1s", "--label", "site=" + SITES[i], "--scrub-period", "4s", "--scrub-rate", "64MiB",
                    "--compaction-interval", "2s", "--volume-file-size", "1MiB");
            live.add(i);
        }
        for (int i = 0; i < SITES.length; i++) {
            nodeIds[i] = workers[i].awaitOutput("sklad worker (\\S+) serving blocks on", Duration.ofSeconds(60));
        }
        fs = SkladFileSystem.open(AgentConfig.withPassword("127.0.0.1:" + masterPort, "admin", PASSWORD,
                dir.resolve("agent")));
        try (GrpcMetadataClient meta = new GrpcMetadataClient("127.0.0.1:" + masterPort, Duration.ofSeconds(30))) {
            admin = new GrpcAdminClient("127.0.0.1:" + masterPort, Duration.ofSeconds(30),
                    meta.login("admin", PASSWORD).token());
        }
        await("six workers alive", Duration.ofSeconds(60), () -> alive().size() == SITES.length);
        fs.createVolume("main", 3, 0);

        Random random = new Random(42);
        for (int i = 0; i < FILES; i++) {
            files.put("/main/f" + i, write("/main/f" + i, random));
        }
        mainBlocks = union();
        for (int i = 0; i < SCRATCH; i++) {
            write("/main/scratch" + i, random);
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (fs != null) {
            fs.close();
        }
        if (admin != null) {
            admin.close();
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

    // ------------------------------------------------------------------ the story

    @Test
    @Order(1)
    void everyBlockHasOneCopyPerSite() throws Exception {
        Map<String, List<Integer>> holders = holdersByCli();
        assertThat(mainBlocks).hasSizeGreaterThanOrEqualTo(FILES);
        for (String block : mainBlocks) {
            List<Integer> on = holders.get(block);
            assertThat(on).as("holders of " + block).hasSize(3);
            assertThat(on.stream().map(i -> SITES[i]).distinct()).as("sites of " + block).hasSize(3);
        }
    }

    @Test
    @Order(2)
    void drainMovesBlocksAwayAndOnlyThenRemoveSucceeds() throws Exception {
        int leaving = 5;
        NodeReport r = admin.drainNode(nodeIds[leaving], false);
        assertThat(r.blocksOnlyHere()).isPositive();
        FileSystemException refused = catchThrowableOfType(FileSystemException.class,
                () -> admin.removeNode(nodeIds[leaving]));
        assertThat(refused).as("remove while its blocks have no other copies").isNotNull();
        assertThat(status().nodes()).filteredOn(n -> n.nodeId().equals(nodeIds[leaving]))
                .extracting(WorkerNode::state).containsExactly(NodeState.DRAINING);

        await("node drained", REPAIR_WAIT, () -> report(leaving).blocksOnlyHere() == 0
                && status().repair().blocksAtRisk() == 0);
        workers[leaving].stop();
        live.remove(leaving);
        admin.removeNode(nodeIds[leaving]);
        assertThat(admin.listNodes()).extracting(n -> n.node().nodeId()).doesNotContain(nodeIds[leaving]);
        assertCopies(3, true);
        allFilesReadBack();
    }

    @Test
    @Order(3)
    void flippedBytesAndATruncatedVolumeFileAreFoundByScrubbingAndTheCopiesRestored() throws Exception {
        long repairedBefore = status().repair().repairedBlocks();
        for (Path v : volumeFiles(4)) {
            flipBytes(v, 4096);
        }
        Path cut = volumeFiles(3).get(0);
        try (RandomAccessFile f = new RandomAccessFile(cut.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        await("damaged copies re-made", REPAIR_WAIT, () -> status().repair().repairedBlocks() > repairedBefore
                && status().repair().blocksAtRisk() == 0 && status().repair().blocksRepairing() == 0
                && copiesOk(3));
        assertCopies(3, true);
        allFilesReadBack();
    }

    @Test
    @Order(4)
    void deletedFilesGiveTheirSpaceBackAfterTheGracePeriodAndCompaction() throws Exception {
        long before = du();
        admin.setVolumeRetention("main", Duration.ofSeconds(1));
        long scratchBytes = 0;
        for (int i = 0; i < SCRATCH; i++) {
            Path p = fs.getPath("/main/scratch" + i);
            scratchBytes += Files.size(p);
            Files.delete(p);
        }
        long freed = scratchBytes * 3 / 2;   // at least half of the three copies' bytes comes back
        await("space given back (du was " + before + " bytes, scratch " + scratchBytes + " x 3)", REPAIR_WAIT,
                () -> du() < before - freed);
        assertThat(status().repair().gcDeletedBlocks()).isGreaterThanOrEqualTo(SCRATCH);
        assertCopies(3, true);
        allFilesReadBack();
    }

    @Test
    @Order(5)
    void killedWorkersAreReplacedByRepairAndNoDataIsLost() throws Exception {
        for (int victim = 0; victim < 3; victim++) {
            workers[victim].kill9();
            live.remove(victim);
            String gone = nodeIds[victim];
            await("worker " + victim + " dead", Duration.ofSeconds(30), () -> status().nodes().stream()
                    .anyMatch(n -> n.nodeId().equals(gone) && n.state() == NodeState.DEAD));
            int want = Math.min(3, live.size());
            if (live.size() >= 3) {
                await("repair after losing worker " + victim, REPAIR_WAIT,
                        () -> status().repair().blocksAtRisk() == 0 && copiesOk(want));
            }
            assertCopies(want, false);
            allFilesReadBack();
        }
    }

    // ------------------------------------------------------------------ helpers

    Path workerDir(int i) {
        return dir.resolve("worker" + i);
    }

    /** Writes a random file of 8..64 KiB and returns its SHA-256. */
    String write(String path, Random random) throws IOException {
        byte[] data = new byte[8192 + random.nextInt(56 * 1024 + 1)];
        random.nextBytes(data);
        try (OutputStream out = Files.newOutputStream(fs.getPath(path))) {
            out.write(data);
        }
        return sha256(data);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file read back through a fresh agent (an empty block cache: the bytes come from workers). */
    void allFilesReadBack() throws Exception {
        try (SkladFileSystem reader = SkladFileSystem.open(AgentConfig.withPassword("127.0.0.1:" + masterPort,
                "admin", PASSWORD, dir.resolve("reader" + readers++)))) {
            for (Map.Entry<String, String> e : files.entrySet()) {
                try (InputStream in = Files.newInputStream(reader.getPath(e.getKey()))) {
                    assertThat(sha256(in.readAllBytes())).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    ClusterStatus status() throws IOException {
        return fs.clusterStatus();
    }

    Set<String> alive() throws IOException {
        Set<String> out = new HashSet<>();
        for (WorkerNode n : status().nodes()) {
            if (n.state() == NodeState.ALIVE) {
                out.add(n.nodeId());
            }
        }
        return out;
    }

    NodeReport report(int worker) throws IOException {
        return admin.listNodes().stream().filter(r -> r.node().nodeId().equals(nodeIds[worker])).findFirst()
                .orElseThrow();
    }

    /** Block ids on every worker, read in-process from their files (cheap enough to poll). */
    Set<String> union() throws IOException {
        Set<String> all = new HashSet<>();
        for (int i : live) {
            all.addAll(LocalDiskBlockStore.listBlockIds(workerDir(i)));
        }
        return all;
    }

    boolean copiesOk(int want) throws IOException {
        Map<String, List<Integer>> holders = new HashMap<>();
        for (int i : live) {
            for (String id : LocalDiskBlockStore.listBlockIds(workerDir(i))) {
                holders.computeIfAbsent(id, k -> new ArrayList<>()).add(i);
            }
        }
        return mainBlocks.stream().allMatch(b -> holders.getOrDefault(b, List.of()).size() == want);
    }

    /** Holders of each block among the live workers, from {@code sklad worker ls --data DIR}. */
    Map<String, List<Integer>> holdersByCli() throws Exception {
        Map<String, List<Integer>> holders = new HashMap<>();
        for (int i : live) {
            CommandResult r = Commands.run(dir, Map.of(), 120, Commands.sklad("worker", "ls", "--data",
                    workerDir(i).toString()));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            for (String id : r.stdout().lines().toList()) {
                holders.computeIfAbsent(id, k -> new ArrayList<>()).add(i);
            }
        }
        return holders;
    }

    /** Every block of the 500 files has {@code want} copies on distinct live workers (and sites, if asked). */
    void assertCopies(int want, boolean oneSiteEach) throws Exception {
        Map<String, List<Integer>> holders = holdersByCli();
        for (String block : mainBlocks) {
            List<Integer> on = holders.getOrDefault(block, List.of());
            assertThat(on).as("holders of " + block).hasSize(want).doesNotHaveDuplicates();
            if (oneSiteEach) {
                assertThat(on.stream().map(i -> SITES[i]).distinct()).as("sites of " + block).hasSize(want);
            }
        }
    }

    List<Path> volumeFiles(int worker) throws IOException {
        try (Stream<Path> s = Files.walk(workerDir(worker))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".dat")).sorted().toList();
        }
    }

    static void flipBytes(Path file, int every) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long pos = 1000; pos < f.length(); pos += every) {
                f.seek(pos);
                int b = f.read();
                f.seek(pos);
                f.write(b ^ 0x5a);
            }
        }
    }

    /** Bytes the live workers' data directories take on disk ({@code du -sk}). */
    long du() throws Exception {
        long kib = 0;
        for (int i : live) {
            CommandResult r = Commands.shell(dir, 60, "du -sk " + workerDir(i));
            kib += Long.parseLong(r.stdout().trim().split("\\s+")[0]);
        }
        return kib * 1024;
    }

    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for: " + what + (last == null ? "" : " (last error " + last + ")"));
    }
}
