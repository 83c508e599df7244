package io.sklad.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sklad up} as a newcomer runs it: one real process with master, 3 workers and the agent; then the
 * {@code sklad} client commands, run as separate processes from the same directory (profile lookup).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpIT {

    @TempDir
    static Path dir;

    SkladProcess up;

    @BeforeAll
    void startUp() throws Exception {
        up = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", "s3cret-Admin"),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0", "--no-fuse");
        up.awaitOutput("Sklad is up", Duration.ofSeconds(90));
    }

    @AfterAll
    void stopUp() throws Exception {
        if (up != null) {
            assertThat(up.stop()).as(up.output()).isIn(0, 130, 143);
        }
    }

    CommandResult sklad(String... args) throws Exception {
        return Commands.run(dir, Map.of(), 300, Commands.sklad(args));
    }

    CommandResult ok(String... args) throws Exception {
        CommandResult r = sklad(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    /** One clear line, non-zero exit, no stack trace. */
    void fails(String expectedInMessage, String... args) throws Exception {
        CommandResult r = sklad(args);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr().strip()).as(r.toString()).containsIgnoringCase(expectedInMessage);
        assertThat(r.stderr()).as("no stack trace without --verbose").doesNotContain("\tat ");
        assertThat(r.stderr().strip().lines().count()).as(r.toString()).isLessThanOrEqualTo(2);
    }

    @Test
    @Order(1)
    void printsWhereEverythingIs() {
        String out = up.output();
        assertThat(out).contains("master:").contains("workers:").contains("volume:").contains("profile:")
                .contains("webdav:").contains("sftp:").contains("fuse:");
        assertThat(dir.resolve("sklad-data/profile.yaml")).exists();
        for (int i = 1; i <= 3; i++) {
            assertThat(dir.resolve("sklad-data/workers/" + i)).isDirectory();
        }
    }

    @Test
    @Order(2)
    void roundTripsOfEdgeSizesAreByteIdentical() throws Exception {
        ok("mkdir", "/main/rt");
        for (long size : List.of(0L, 1L, 65535L, 65536L, 65537L, 20L << 20)) {
            Path src = RandomFiles.create(dir.resolve("src-" + size), size, size);
            ok("put", src.toString(), "/main/rt/f-" + size);
            Path back = dir.resolve("back-" + size);
            ok("get", "/main/rt/f-" + size, back.toString());
            assertThat(RandomFiles.sha256(back)).as("size " + size).isEqualTo(RandomFiles.sha256(src));
            assertThat(Files.size(back)).isEqualTo(size);
        }
        String ls = ok("ls", "-l", "/main/rt").stdout();
        assertThat(ls).contains("f-0").contains("f-65537").contains("f-20971520");
    }

    @Test
    @Order(3)
    void everyBlockHasThreeCopiesInTheWorkersOwnStores() throws Exception {
        List<Set<String>> held = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String out = ok("worker", "ls", "--data", dir.resolve("sklad-data/workers/" + i).toString()).stdout();
            Set<String> ids = new HashSet<>(out.lines().toList());
            assertThat(ids).allMatch(id -> id.matches("[0-9a-f]{64}"));
            held.add(ids);
        }
        // 20 MiB in 64 KiB blocks is 320 distinct blocks (random data: no dedup), plus the small files.
        assertThat(held.get(0)).hasSizeGreaterThanOrEqualTo(320);
        assertThat(held.get(1)).isEqualTo(held.get(0));
        assertThat(held.get(2)).isEqualTo(held.get(0));
    }

    @Test
    @Order(4)
    void statusShowsNodesAndNoUnderReplication() throws Exception {
        String json = ok("status", "--json").stdout();
        assertThat(json).contains("\"under_replicated\": 0");
        assertThat(json.split("\"state\": \"alive\"", -1)).hasSize(4);
        String text = ok("status").stdout();
        assertThat(text).contains("alive").contains("under_replicated");
    }

    @Test
    @Order(5)
    void versionsOfAFileAreListedAndReadable() throws Exception {
        Path v1 = RandomFiles.create(dir.resolve("v1"), 200_000, 1);
        Path v2 = RandomFiles.create(dir.resolve("v2"), 150_000, 2);
        ok("put", v1.toString(), "/main/doc.bin");
        ok("put", v2.toString(), "/main/doc.bin");
        String versions = ok("versions", "/main/doc.bin").stdout();
        List<String> ids = versions.lines().filter(l -> l.matches("\\s*\\d+\\s.*")).map(l -> l.trim().split("\\s+")[0]).toList();
        assertThat(ids).as(versions).hasSize(2);
        Path old = dir.resolve("old");
        ok("get", "--version", ids.get(0), "/main/doc.bin", old.toString());
        assertThat(RandomFiles.sha256(old)).isEqualTo(RandomFiles.sha256(v1));
        Path cur = dir.resolve("cur");
        ok("get", "/main/doc.bin", cur.toString());
        assertThat(RandomFiles.sha256(cur)).isEqualTo(RandomFiles.sha256(v2));
    }

    @Test
    @Order(6)
    void namespaceCommands() throws Exception {
        ok("mkdir", "-p", "/main/a/b/c");
        Path f = RandomFiles.create(dir.resolve("small"), 1000, 7);
        ok("put", f.toString(), "/main/a/b/c/x");
        ok("mv", "/main/a/b/c/x", "/main/a/y");
        assertThat(ok("stat", "/main/a/y").stdout()).contains("1000");
        fails("no such file", "stat", "/main/a/b/c/x");
        fails("not empty", "rm", "/main/a");
        ok("rm", "-r", "/main/a");
        fails("no such file", "ls", "/main/a");
    }

    @Test
    @Order(7)
    void badInputGetsOneClearLineAndChangesNothing() throws Exception {
        Path f = RandomFiles.create(dir.resolve("bad-src"), 10, 3);
        ok("put", f.toString(), "/main/file1");
        fails("no such file", "get", "/main/missing", dir.resolve("never").toString());
        assertThat(dir.resolve("never")).doesNotExist();
        fails("not a directory", "put", f.toString(), "/main/file1/x");
        fails("invalid", "mkdir", "/main/" + "n".repeat(256));
        fails("invalid", "mkdir", "/main/x/../y");
        fails("volume", "ls", "/novolume");
        fails("replica", "volume", "create", "five", "--replicas", "5");
        fails("no such file", "put", dir.resolve("no-local-file").toString(), "/main/z");
        // nothing changed: file1 is still there and intact
        Path back = dir.resolve("bad-back");
        ok("get", "/main/file1", back.toString());
        assertThat(RandomFiles.sha256(back)).isEqualTo(RandomFiles.sha256(f));
        assertThat(ok("volume", "ls").stdout()).contains("main").doesNotContain("five");
    }
}
