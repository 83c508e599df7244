package io.sklad.tests.fuse;

import static io.sklad.tests.fuse.FuseHost.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.SkladProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nightly dump through the drive: {@code dd} into the mount with {@code conv=fsync} and back out,
 * byte-identical by {@code sha256sum}, and committed as one version of the full size: 2 GiB (32 768 blocks in
 * eight streamed parts; about 2.5 min on the 2-core CI machine with 3 replicas on one disk; files of one part
 * go through the mount in FuseIT). The agent runs with {@code -Xmx512m}: the 2 GiB file is four times the heap,
 * so passing it proves writes go through the spill area, not memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseLargeFileIT {

    private static final long MIB = 1 << 20;

    @TempDir
    static Path dir;

    private Path mnt;
    private SkladProcess up;

    @BeforeAll
    void startUp() throws Exception {
        FuseHost.requireFuse();
        FuseHost.requireTools("dd", "sha256sum", "head");
        mnt = dir.resolve("mnt");
        up = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", "large-Admin-1"),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0",
                "--no-webdav", "--no-sftp", "--mount", mnt.toString());
        String fuse = up.awaitOutput("^  fuse: +(.*)$", Duration.ofSeconds(120));
        FuseHost.require(!fuse.startsWith("skipped"), "sklad up did not mount: " + fuse);
        FuseHost.awaitMounted(mnt, Duration.ofSeconds(10));
    }

    @AfterAll
    void stopUp() throws Exception {
        try {
            if (up != null && up.isAlive()) {
                assertThat(up.stop()).as(up.output()).isIn(0, 130, 143);
            }
        } finally {
            FuseHost.forceUnmount(mnt);
        }
    }

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void ddOfTwoGibInAndOutKeepsEveryByte() throws Exception {
        roundTrip(2048, "two");
    }

    private void roundTrip(long sizeMib, String name) throws Exception {
        Path src = dir.resolve(name + ".src");
        String file = "mnt/" + name + ".bin";
        // random data: no block dedups, so every byte really travels to the workers and back
        ok(dir, 300, "head -c " + sizeMib * MIB + " /dev/urandom > " + src);
        String expected = ok(dir, 300, "sha256sum < " + src).split(" ")[0];

        long start = System.nanoTime();
        CommandResult write = FuseHost.sh(dir, 900, "dd if=" + src + " of=" + file + " bs=1M conv=fsync status=none");
        assertThat(write.exitCode()).as(write + FuseHost.problems(up)).isZero();
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        long peakRssKib = up.peakRssKib();
        assertThat(Files.size(dir.resolve(file))).isEqualTo(sizeMib * MIB);

        // the file committed by the mount is what the cluster holds: one version, the full size
        CommandResult versions = Commands.run(dir, Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()), 120,
                Commands.sklad("versions", "/main/" + name + ".bin"));
        assertThat(versions.exitCode()).as(versions.toString()).isZero();
        assertThat(versions.stdout().lines().filter(l -> l.matches("\\s*\\d+\\s.*")).toList())
                .singleElement().asString().contains(Long.toString(sizeMib * MIB));

        start = System.nanoTime();
        String read = ok(dir, 900, "dd if=" + file + " bs=1M status=none | sha256sum").split(" ")[0];
        double readSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(read).isEqualTo(expected);
        System.out.printf("FUSE dd %d MiB: write %.1f MB/s, read %.1f MB/s, sklad up peak RSS %d MiB%n",
                sizeMib, sizeMib / writeSeconds, sizeMib / readSeconds, peakRssKib / 1024);
        Files.delete(src);
        Files.delete(dir.resolve(file));
    }
}
