package io.sklad.tests.fuse;

import static io.sklad.tests.fuse.FuseHost.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead disks under a mounted drive: a cluster of real processes ({@code sklad master}, three
 * {@code sklad worker}s, {@code sklad mount}); workers are killed with SIGKILL while a program reads
 * through the mount. Every block has a copy on each worker (3 replicas), so reads must go on from the
 * survivors, and a write that cannot reach its quorum must fail at close, never vanish silently.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseWorkerFailureIT {

    private static final String PASSWORD = "failure-Admin-1";
    private static final long MIB = 1 << 20;

    @TempDir
    static Path dir;

    private final List<SkladProcess> processes = new ArrayList<>();
    private final List<SkladProcess> workers = new ArrayList<>();
    private Map<String, String> clientEnv;
    private SkladProcess mount;
    private Path mnt;

    @BeforeAll
    void startCluster() throws Exception {
        FuseHost.requireFuse();
        FuseHost.requireTools("sha256sum", "cp", "cat");
        SkladProcess master = start("master", Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "master", "--data", dir.resolve("master").toString(), "--listen", "127.0.0.1:0");
        String address = master.awaitOutput("sklad master listening on (\\S+)", Duration.ofSeconds(90));
        for (int i = 1; i <= 3; i++) {
            SkladProcess worker = start("worker" + i, Map.of(), "worker", "--data", dir.resolve("worker" + i).toString(),
                    "--master", address, "--listen", "127.0.0.1:0", "--heartbeat", "1s",
                    "--join-token-file", dir.resolve("master/join.token").toString());
            workers.add(worker);
        }
        for (SkladProcess worker : workers) {
            worker.awaitOutput("registered with master", Duration.ofSeconds(90));
        }
        clientEnv = Map.of("SKLAD_MASTER", address, "SKLAD_USER", "admin", "SKLAD_PASSWORD", PASSWORD,
                "XDG_CACHE_HOME", dir.resolve("client-cache").toString());
        sklad("volume", "create", "main", "--replicas", "3");

        // written by a separate client, so the mount's agent has none of these blocks in its cache
        for (String name : List.of("a", "b", "c")) {
            Path file = RandomFiles.create(dir.resolve(name + ".bin"), (name.equals("a") ? 64 : 32) * MIB, name.hashCode());
            sklad("put", file.toString(), "/main/" + name + ".bin");
        }

        mnt = Files.createDirectory(dir.resolve("mnt"));
        mount = start("mount", Map.of("SKLAD_MASTER", address, "SKLAD_USER", "admin", "SKLAD_PASSWORD", PASSWORD,
                "XDG_CACHE_HOME", dir.resolve("mount-cache").toString()), "mount", "main", mnt.toString());
        mount.awaitOutput("mounted volume main", Duration.ofSeconds(90));
        FuseHost.awaitMounted(mnt, Duration.ofSeconds(10));
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            for (int i = processes.size() - 1; i >= 0; i--) {
                processes.get(i).close();
            }
        } finally {
            FuseHost.forceUnmount(mnt);
        }
    }

    private SkladProcess start(String name, Map<String, String> env, String... args) throws Exception {
        SkladProcess p = SkladProcess.start(name, dir, env, args);
        processes.add(p);
        return p;
    }

    private String sklad(String... args) throws Exception {
        CommandResult r = Commands.run(dir, clientEnv, 300, Commands.sklad(args));
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isZero();
        return r.stdout();
    }

    @Test
    @Order(1)
    void aReadGoesOnWhenAWorkerIsKilledHalfWay() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        long total = 0;
        boolean killed = false;
        try (InputStream in = Files.newInputStream(mnt.resolve("a.bin"))) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                total += n;
                if (!killed && total >= 16 * MIB) {
                    workers.get(0).kill9();
                    killed = true;
                }
            }
        }
        assertThat(killed).isTrue();
        assertThat(total).isEqualTo(64 * MIB);
        assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(RandomFiles.sha256(dir.resolve("a.bin")));
    }

    @Test
    @Order(2)
    void aFileNeverReadBeforeIsReadWholeByARealProgramWithOneWorkerDown() throws Exception {
        assertThat(workers.get(0).isAlive()).isFalse();
        String sum = ok(dir, 120, "sha256sum < mnt/b.bin").split(" ")[0];
        assertThat(sum).isEqualTo(RandomFiles.sha256(dir.resolve("b.bin")));
    }

    @Test
    @Order(3)
    void writesGoOnWithOneWorkerDown() throws Exception {
        Path file = RandomFiles.create(dir.resolve("new.bin"), 20 * MIB, 7);
        ok(dir, 120, "cp new.bin mnt/new.bin");
        sklad("get", "/main/new.bin", dir.resolve("new.back").toString());
        assertThat(RandomFiles.sha256(dir.resolve("new.back"))).isEqualTo(RandomFiles.sha256(file));
    }

    @Test
    @Order(4)
    void withOneWorkerLeftReadsStillWorkAndAWriteFailsLoudly() throws Exception {
        workers.get(1).kill9();
        // the last copy of every block is on worker 3
        String sum = ok(dir, 120, "cat mnt/c.bin | sha256sum").split(" ")[0];
        assertThat(sum).isEqualTo(RandomFiles.sha256(dir.resolve("c.bin")));

        // write quorum is 2: the write cannot be made durable and the program must hear so (close or fsync
        // fails), and what was there before stays
        RandomFiles.create(dir.resolve("lost.bin"), 4 * MIB, 8);
        CommandResult r = FuseHost.sh(dir, 180, "dd if=lost.bin of=mnt/b.bin bs=1M conv=fsync,notrunc status=none");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).as(r.toString()).containsAnyOf("Input/output error", "No space left", "Device or resource busy");
        // nothing was committed: the cluster still has the one version, as another agent reads it
        assertThat(sklad("versions", "/main/b.bin").lines().filter(l -> l.matches("\\s*\\d+\\s.*")).count()).isEqualTo(1);
        sklad("get", "/main/b.bin", dir.resolve("b.back").toString());
        String original = RandomFiles.sha256(dir.resolve("b.bin"));
        assertThat(RandomFiles.sha256(dir.resolve("b.back"))).isEqualTo(original);
        // the mount drops the refused write once the kernel has released dd's handle (release is asynchronous:
        // until then a new opener on this agent shares the open file and still sees the refused bytes)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String onMount = "";
        while (System.nanoTime() < deadline && !(onMount = ok(dir, 120, "sha256sum < mnt/b.bin").split(" ")[0]).equals(original)) {
            Thread.sleep(500);
        }
        assertThat(onMount).isEqualTo(original);
        assertThat(mount.isAlive()).isTrue();
    }
}
