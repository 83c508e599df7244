package io.sklad.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.Ports;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * A real multi-process cluster: {@code sklad master} and three {@code sklad worker} processes, driven by
 * {@code sklad} client processes, with real faults — kill -9 of a worker, bytes flipped in a worker's
 * volume file, kill -9 of the master in the middle of a write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final String PASSWORD = "cluster-Pass-1";

    @TempDir
    static Path dir;

    int masterPort;
    SkladProcess master;
    final SkladProcess[] workers = new SkladProcess[3];
    final Map<String, String> committed = new LinkedHashMap<>();

    Map<String, String> clientEnv() {
        return Map.of("SKLAD_MASTER", "127.0.0.1:" + masterPort, "SKLAD_USER", "admin", "SKLAD_PASSWORD", PASSWORD,
                "XDG_CACHE_HOME", dir.resolve("client-cache").toString());
    }

    CommandResult sklad(String... args) throws Exception {
        return Commands.run(dir, clientEnv(), 300, Commands.sklad(args));
    }

    CommandResult ok(String... args) throws Exception {
        CommandResult r = sklad(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    void startMaster() throws Exception {
        master = SkladProcess.start("master", dir, Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "master", "--data", dir.resolve("master").toString(), "--listen", "127.0.0.1:" + masterPort,
                "--suspect-after", "3s", "--dead-after", "10m");
        master.awaitOutput("sklad master listening on", Duration.ofSeconds(60));
    }

    void startWorker(int i) throws Exception {
        workers[i] = SkladProcess.start("worker" + i, dir, Map.of(),
                "worker", "--data", workerDir(i).toString(), "--master", "127.0.0.1:" + masterPort,
                "--listen", "127.0.0.1:0", "--join-token-file", dir.resolve("master/join.token").toString(),
                "--heartbeat", "1s");
        workers[i].awaitOutput("serving blocks on", Duration.ofSeconds(60));
    }

    Path workerDir(int i) {
        return dir.resolve("worker" + i);
    }

    int aliveWorkers() throws Exception {
        CommandResult r = sklad("status", "--json");
        if (!r.ok()) {
            return -1;
        }
        Matcher m = Pattern.compile("\"state\": \"alive\"").matcher(r.stdout());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    void awaitAlive(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int alive;
        while ((alive = aliveWorkers()) != n) {
            assertThat(System.nanoTime()).as("workers alive: " + alive + ", want " + n).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        masterPort = Ports.free();
        startMaster();
        for (int i = 0; i < 3; i++) {
            startWorker(i);
        }
        awaitAlive(3);
        ok("volume", "create", "main", "--replicas", "3");
    }

    @AfterAll
    void stopCluster() throws Exception {
        for (SkladProcess w : workers) {
            if (w != null) {
                w.close();
            }
        }
        if (master != null) {
            master.close();
        }
    }

    /** Every file committed so far reads back byte-identical. */
    void allFilesReadBack() throws Exception {
        for (Map.Entry<String, String> e : committed.entrySet()) {
            Path back = dir.resolve("back.bin");
            ok("get", e.getKey(), back.toString());
            assertThat(RandomFiles.sha256(back)).as(e.getKey()).isEqualTo(e.getValue());
            Files.delete(back);
        }
    }

    @Test
    @Order(1)
    void filesWrittenToThreeWorkerProcesses() throws Exception {
        long[] sizes = {0, 1, 4095, 65536, 65537, 1 << 20, 30L << 20};
        for (int i = 0; i < sizes.length; i++) {
            Path src = RandomFiles.create(dir.resolve("src" + i), sizes[i], 100 + i);
            String remote = "/main/f" + i;
            ok("put", src.toString(), remote);
            committed.put(remote, RandomFiles.sha256(src));
        }
        allFilesReadBack();
        for (int i = 0; i < 3; i++) {
            List<String> ids = ok("worker", "ls", "--data", workerDir(i).toString()).stdout().lines().toList();
            // 30 MiB + 1 MiB + small files in 64 KiB blocks: every worker holds every block (R = 3 of 3)
            assertThat(ids).as("worker " + i).hasSizeGreaterThanOrEqualTo(480 + 16 + 4);
        }
    }

    @Test
    @Order(2)
    void aKilledWorkerDoesNotStopReads() throws Exception {
        workers[0].kill9();
        allFilesReadBack();
        startWorker(0);
        awaitAlive(3);
    }

    @Test
    @Order(3)
    void aCorruptedBlockOnOneWorkerStillReadsAndIsReported() throws Exception {
        // flip bytes all over worker 1's volume files: many blocks there are now bad
        List<Path> volumes;
        try (Stream<Path> s = Files.walk(workerDir(1))) {
            volumes = s.filter(p -> p.getFileName().toString().endsWith(".dat")).toList();
        }
        assertThat(volumes).isNotEmpty();
        for (Path v : volumes) {
            flipBytes(v, 4096);
        }
        allFilesReadBack();
        // the agent reported the bad copies it met (and the worker's own reads found them too): the master saw
        // blocks below 3 copies, or its repair has already copied them back
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            String json = ok("status", "--json").stdout();
            seen = underReplicated(json) > 0 || repairedBlocks(json) > 0;
            if (!seen) {
                Thread.sleep(500);
            }
        }
        assertThat(seen).as("bad copies reported (under-replicated or repaired blocks)").isTrue();
    }

    static long repairedBlocks(String json) {
        Matcher m = Pattern.compile("\"repaired_blocks\": (\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static long underReplicated(String json) {
        Matcher m = Pattern.compile("\"under_replicated\": (\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    long underReplicated() throws Exception {
        Matcher m = Pattern.compile("\"under_replicated\": (\\d+)").matcher(ok("status", "--json").stdout());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
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

    @Test
    @Order(4)
    void masterKilledMidWriteKeepsEverythingCommittedAndNothingHalfDone() throws Exception {
        Path v1 = RandomFiles.create(dir.resolve("over-v1"), 3 << 20, 7);
        ok("put", v1.toString(), "/main/over");
        committed.put("/main/over", RandomFiles.sha256(v1));
        Path big = RandomFiles.create(dir.resolve("over-v2"), 100L << 20, 8);
        String v2sha = RandomFiles.sha256(big);

        SkladProcess put = SkladProcess.start("put-during-crash", dir, clientEnv(), "put", big.toString(), "/main/over");
        Thread.sleep(1500);
        master.kill9();
        put.awaitExit(Duration.ofSeconds(120));

        startMaster();
        awaitAlive(3);
        allFilesReadBack();
        // /main/over is either still v1 or, if the commit made it before the kill, completely v2
        Path back = dir.resolve("over-back");
        ok("get", "/main/over", back.toString());
        assertThat(RandomFiles.sha256(back)).isIn(committed.get("/main/over"), v2sha);
        List<String> versions = ok("versions", "/main/over").stdout().lines().skip(1).toList();
        assertThat(versions).hasSizeBetween(1, 2);
    }

    @Test
    @Order(5)
    void workerLsWorksWhileTheWorkerRunsAndSaysSoWhenTheDirIsWrong() throws Exception {
        assertThat(ok("worker", "ls", "--data", workerDir(2).toString()).stdout()).isNotBlank();
        CommandResult r = sklad("worker", "ls", "--data", dir.resolve("no-such-worker").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("no-such-worker");
    }
}
