package io.sklad.tests.fuse;

import static io.sklad.tests.fuse.FuseHost.ok;
import static io.sklad.tests.fuse.FuseHost.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sklad mount -o OPTIONS --cache-size SIZE}: options reach the kernel (a read-only mount refuses writes
 * with EROFS, the cache timeouts are accepted), the agent's on-disk block cache fills as files are read, and
 * options that are not options are refused before anything is mounted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseMountOptionsIT {

    @TempDir
    static Path dir;

    private SkladProcess up;
    private SkladProcess mount;
    private Path mnt;

    @BeforeAll
    void startCluster() throws Exception {
        FuseHost.requireFuse();
        up = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", "opt-Admin-1"),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0",
                "--no-fuse", "--no-webdav", "--no-sftp");
        up.awaitOutput("Sklad is up", Duration.ofSeconds(120));
        mnt = dir.resolve("mnt-ro");
        Files.createDirectories(mnt);
    }

    @AfterAll
    void stopAll() throws Exception {
        try {
            if (mount != null) {
                mount.close();
            }
            FuseHost.forceUnmount(mnt);
        } finally {
            if (up != null) {
                up.close();
            }
        }
    }

    private CommandResult sklad(String... args) throws Exception {
        return Commands.run(dir, Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()), 120, Commands.sklad(args));
    }

    @Test
    void aReadOnlyMountWithCacheTimeoutsReadsThroughTheBlockCacheAndRefusesWrites() throws Exception {
        Path src = RandomFiles.create(dir.resolve("data.bin"), 2_000_000, 7);
        assertThat(sklad("put", src.toString(), "/main/data.bin").exitCode()).isZero();

        mount = SkladProcess.start("mount-ro", dir, Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()),
                "mount", "main", mnt.toString(), "-o", "ro,attr_timeout=5,entry_timeout=5", "--cache-size", "64MiB");
        mount.awaitOutput("mounted volume main at", Duration.ofSeconds(90));
        FuseHost.awaitMounted(mnt, Duration.ofSeconds(10));
        assertThat(ok(dir, 30, "grep ' " + mnt + " ' /proc/mounts")).contains(" ro,");

        assertThat(ok(dir, 60, "sha256sum < " + mnt.resolve("data.bin")).split(" ")[0])
                .isEqualTo(RandomFiles.sha256(src));
        // 2 MB in 64 KiB blocks, read once: they are in this mount's on-disk cache now
        Path mounts = dir.resolve("cache/sklad/mounts");
        long cached;
        try (Stream<Path> files = Files.walk(mounts)) {
            cached = files.filter(Files::isRegularFile)
                    .filter(p -> p.getParent().getFileName().toString().equals("cache")).count();
        }
        assertThat(cached).as("files in the mount's block cache under " + mounts).isGreaterThanOrEqualTo(30);

        CommandResult write = sh(dir, 30, "echo x > " + mnt.resolve("new.txt"));
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.stderr()).contains("Read-only file system");
        CommandResult rm = sh(dir, 30, "rm " + mnt.resolve("data.bin"));
        assertThat(rm.stderr()).contains("Read-only file system");
        assertThat(sklad("ls", "/main").stdout()).contains("data.bin").doesNotContain("new.txt");
    }

    @Test
    void optionsThatAreNotOptionsAreRefusedBeforeMounting() throws Exception {
        Path other = dir.resolve("mnt-bad");
        Files.createDirectories(other);
        for (String[] bad : new String[][] {{"-o", "ro,fsname=x y"}, {"-o", "allow_other=a,b=c d"}, {"--cache-size", "lots"}}) {
            CommandResult r = sklad("mount", "main", other.toString(), bad[0], bad[1]);
            assertThat(r.exitCode()).as(String.join(" ", bad) + "\n" + r).isEqualTo(2);
            assertThat(r.stderr()).contains(bad[0]);
            assertThat(FuseHost.isMounted(other)).isFalse();
        }
    }
}
