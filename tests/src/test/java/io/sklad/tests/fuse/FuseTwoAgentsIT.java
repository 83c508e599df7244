package io.sklad.tests.fuse;

import static io.sklad.tests.fuse.FuseHost.ok;
import static io.sklad.tests.fuse.FuseHost.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
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
 * Two machines mounting the same volume: {@code sklad up --no-fuse} is the cluster, and two
 * {@code sklad mount main} processes (two agents, each with its own cache) mount it at two places.
 * A file closed on one is complete on the other at its next open; a second writer gets EBUSY; agents
 * that stop — cleanly or by SIGKILL — leave nothing behind that the next mount cannot use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseTwoAgentsIT {

    @TempDir
    static Path dir;

    private SkladProcess up;
    private final List<SkladProcess> mounts = new ArrayList<>();
    private final List<Path> mountPoints = new ArrayList<>();
    private SkladProcess agentA;
    private SkladProcess agentB;
    private Path a;
    private Path b;

    @BeforeAll
    void startClusterAndTwoMounts() throws Exception {
        FuseHost.requireFuse();
        FuseHost.requireTools("cmp", "diff", "head", "tail", "cp");
        up = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", "two-Admin-1"),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0",
                "--no-fuse", "--no-webdav", "--no-sftp");
        up.awaitOutput("Sklad is up", Duration.ofSeconds(120));
        a = dir.resolve("mnt-a");
        b = dir.resolve("mnt-b");
        agentA = mount("a", a);
        agentB = mount("b", b);
        RandomFiles.create(dir.resolve("src.bin"), 3_000_000, 5);
    }

    @AfterAll
    void stopAll() throws Exception {
        try {
            for (SkladProcess m : mounts) {
                m.close();
            }
            for (Path p : mountPoints) {
                FuseHost.forceUnmount(p);
            }
        } finally {
            if (up != null) {
                up.close();
            }
        }
    }

    /** {@code sklad mount main DIR} as its own agent (own cache and spill area), run where the profile is. */
    private SkladProcess mount(String name, Path mountPoint) throws Exception {
        SkladProcess p = startMount(name, mountPoint);
        p.awaitOutput("mounted volume main at", Duration.ofSeconds(90));
        FuseHost.awaitMounted(mountPoint, Duration.ofSeconds(10));
        return p;
    }

    private SkladProcess startMount(String name, Path mountPoint) throws Exception {
        if (!FuseHost.isMounted(mountPoint)) { // a stale mount answers ENOTCONN: leave it to sklad mount
            Files.createDirectories(mountPoint);
        }
        if (!mountPoints.contains(mountPoint)) {
            mountPoints.add(mountPoint);
        }
        SkladProcess p = SkladProcess.start("mount-" + name + "-" + mounts.size(), dir,
                Map.of("XDG_CACHE_HOME", dir.resolve("cache-" + name).toString()), "mount", "main", mountPoint.toString());
        mounts.add(p);
        return p;
    }

    @Test
    @Order(1)
    void aFileClosedOnOneMountIsCompleteAtTheNextOpenOnTheOther() throws Exception {
        // growing, shrinking and rewriting the same file; the reader has the old one in its caches each time
        long[] sizes = {1_000, 2_500_000, 70_000, 65_536, 3_000_000, 10, 1_200_000};
        for (int i = 0; i < sizes.length; i++) {
            Path writer = i % 2 == 0 ? a : b;
            Path reader = i % 2 == 0 ? b : a;
            ok(reader, 30, "cat c2o.bin > /dev/null 2>&1 || true");
            String piece = "head -c " + sizes[i] + " " + dir.resolve("src.bin") + " | tail -c " + (sizes[i] - i);
            ok(writer, 60, piece + " > c2o.bin");
            CommandResult same = sh(reader, 60, "(" + piece + ") | cmp - c2o.bin");
            assertThat(same.exitCode()).as("step %d (%d bytes, written on %s): %s", i, sizes[i], writer.getFileName(), same)
                    .isZero();
        }
    }

    @Test
    @Order(2)
    void aTreeCopiedOnOneMountIsWholeOnTheOther() throws Exception {
        FileTrees.create(dir.resolve("tree"), 100, 11);
        ok(dir, 300, "cp -a tree " + a.resolve("tree"));
        ok(dir, 120, "diff -r tree " + b.resolve("tree"));
        assertThat(FileTrees.listing(b.resolve("tree"))).containsExactlyElementsOf(FileTrees.listing(dir.resolve("tree")));
    }

    @Test
    @Order(3)
    void aSecondWriterOnAnotherMountGetsEbusyAndNothingIsLost() throws Exception {
        // the first version comes from a separate client: a handle closed on mount A just before would be
        // released asynchronously, and its release commits whatever the file holds by then
        Files.writeString(dir.resolve("base.txt"), "base;");
        CommandResult put = Commands.run(dir, Map.of("XDG_CACHE_HOME", dir.resolve("cache-client").toString()), 120,
                Commands.sklad("put", dir.resolve("base.txt").toString(), "/main/lease.txt"));
        assertThat(put.exitCode()).as(put.toString()).isZero();
        Path onB = b.resolve("lease.txt");
        try (FileChannel first = FileChannel.open(a.resolve("lease.txt"), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            first.write(ByteBuffer.wrap("first;".getBytes(StandardCharsets.UTF_8)));
            CommandResult append = sh(b, 60, "printf 'second;' >> lease.txt");
            assertThat(append.exitCode()).as(append.toString()).isNotZero();
            assertThat(append.stderr()).as(append.toString()).contains("Device or resource busy");
            CommandResult overwrite = sh(b, 60, "cp " + dir.resolve("src.bin") + " lease.txt");
            assertThat(overwrite.stderr()).as(overwrite.toString()).contains("Device or resource busy");
            // Starting those programs forked this JVM; the children closed their copy of the descriptor, and
            // every close(2) is a FUSE flush, which commits: "first;" is a version now. Nothing forks from here
            // on, so "more;" stays in flight until the close.
            first.write(ByteBuffer.wrap("more;".getBytes(StandardCharsets.UTF_8)));
            // readers are welcome while the lease is held: they see the last committed version
            assertThat(Files.readString(onB)).isEqualTo("base;first;");
        }
        assertThat(Files.readString(onB)).isEqualTo("base;first;more;");
        // the lease goes with the release that follows the close (asynchronously, within moments): then the
        // other machine may write
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CommandResult second;
        do {
            second = sh(b, 60, "printf 'second;' >> lease.txt");
        } while (!second.ok() && second.stderr().contains("Device or resource busy") && System.nanoTime() < deadline);
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(ok(a, 30, "cat lease.txt")).isEqualTo("base;first;more;second;");
    }

    @Test
    @Order(4)
    void sigtermUnmountsCleanlyAndAMountAtTheSamePlaceSeesEverything() throws Exception {
        assertThat(agentB.stop()).as(agentB.output()).isIn(0, 130, 143);
        FuseHost.awaitUnmounted(b, Duration.ofSeconds(10));
        assertThat(sh(dir, 10, "ls -A " + b).stdout()).isEmpty();
        agentB = mount("b", b);
        ok(dir, 120, "diff -r tree " + b.resolve("tree"));
        assertThat(ok(b, 30, "cat lease.txt")).isEqualTo("base;first;more;second;");
    }

    @Test
    @Order(5)
    void aFileClosedJustBeforeTheAgentIsKilledIsComplete() throws Exception {
        Path last = RandomFiles.create(dir.resolve("last.bin"), 5_000_000, 9);
        ok(dir, 60, "cp last.bin " + a.resolve("last.bin"));
        agentA.kill9();
        CommandResult stale = sh(dir, 10, "ls " + a);
        assertThat(stale.stderr()).contains("Transport endpoint is not connected");
        // the other machine has it all, at once
        assertThat(ok(dir, 60, "sha256sum < " + b.resolve("last.bin")).split(" ")[0]).isEqualTo(RandomFiles.sha256(last));
        // mounting again at the same place clears the stale mount
        agentA = mount("a", a);
        assertThat(ok(dir, 60, "sha256sum < " + a.resolve("last.bin")).split(" ")[0]).isEqualTo(RandomFiles.sha256(last));
        ok(dir, 120, "diff -r tree " + a.resolve("tree"));
    }

    @Test
    @Order(6)
    void aStaleMountLeftByAKilledAgentIsClearedByTheNextMount() throws Exception {
        Path c = dir.resolve("mnt-c");
        SkladProcess first = mount("c", c);
        first.kill9();
        assertThat(sh(dir, 10, "ls " + c).stderr()).contains("Transport endpoint is not connected");
        SkladProcess second = startMount("c", c);
        second.awaitOutput("mounted volume main at", Duration.ofSeconds(90));
        FuseHost.awaitMounted(c, Duration.ofSeconds(10));
        assertThat(ok(c, 30, "cat lease.txt")).isEqualTo("base;first;more;second;");
    }

    @Test
    @Order(7)
    void fusermountUEndsTheMountProcess() throws Exception {
        Path d = dir.resolve("mnt-d");
        SkladProcess p = mount("d", d);
        ok(dir, 30, "fusermount -u " + d);
        FuseHost.awaitUnmounted(d, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(p.isAlive()).as("sklad mount still running after its mount went away:\n" + p.output()).isFalse();
    }
}
