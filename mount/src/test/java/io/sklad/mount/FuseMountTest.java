package io.sklad.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.sklad.mount.fs.CallStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts a plain temp directory through real FUSE and drives it with real programs (cp, diff,
 * tar, dd, sha256sum, sqlite3, coreutils). Skipped when the machine has no FUSE, except on CI
 * ({@code CI=true}), where that is a failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseMountTest {

    private static final String ENOENT = "No such file or directory";
    private static final String ENOTEMPTY = "Directory not empty";
    private static final String EISDIR = "Is a directory";
    private static final String ENAMETOOLONG = "File name too long";
    private static final String EEXIST = "File exists";
    private static final String EPERM = "Operation not permitted";

    @TempDir
    static Path scratch;

    private static Path backing;
    private static Path mnt;
    private static Path work;
    private static Shell shell;
    private static FuseMount mount;

    @BeforeAll
    static void mountBackingDirectory() throws IOException {
        requireFuse();
        backing = Files.createDirectories(scratch.resolve("backing"));
        mnt = Files.createDirectories(scratch.resolve("mnt"));
        work = Files.createDirectories(scratch.resolve("work"));
        shell = new Shell(Files.createDirectories(scratch.resolve("shell")));
        mount = FuseMount.mount(backing, mnt, MountOptions.defaults());
    }

    @AfterAll
    static void unmount() throws IOException {
        if (mount != null) {
            mount.close();
            assertThat(mount.isMounted()).isFalse();
            assertThat(mount.adapter().openHandles()).isZero();
        }
    }

    static void requireFuse() {
        Optional<String> reason = FuseMount.unavailableReason();
        if (reason.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("FUSE is required on CI: " + reason.get());
            }
            Assumptions.abort("FUSE not available: " + reason.get());
        }
    }

    @Test
    void cpATreeOfTwoThousandFilesAndDiff() throws Exception {
        Path src = makeTree(work.resolve("cp-src"), 1200, 8, 100);
        Path copy = mnt.resolve("cp-copy");

        shell.ok(work, "cp", "-a", src.toString(), copy.toString());

        shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), copy.toString());
        shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), backing.resolve("cp-copy").toString());
        // cp -a carries modes, owners and times; find shows them for both sides.
        assertThat(attributeListing(copy)).isEqualTo(attributeListing(src));
        // A directory larger than one readdir buffer, read by Java as well.
        try (Stream<Path> entries = Files.list(copy.resolve("big"))) {
            assertThat(entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .hasSize(1200).contains("f1", "f600", "f1200");
        }
        // And back out again.
        shell.ok(work, "cp", "-a", copy.toString(), work.resolve("cp-back").toString());
        shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), work.resolve("cp-back").toString());
    }

    @Test
    void tarCreatesAndExtractsThroughTheMount() throws Exception {
        Path src = makeTree(work.resolve("tar-src"), 150, 3, 50);
        Path archive = mnt.resolve("tree.tar");
        Path extracted = Files.createDirectory(mnt.resolve("tar-x"));

        shell.ok(work, "tar", "-cf", archive.toString(), "-C", src.toString(), ".");
        shell.ok(work, "tar", "-xpf", archive.toString(), "-C", extracted.toString());
        shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), extracted.toString());

        Path back = Files.createDirectory(work.resolve("tar-back"));
        shell.sh(work, "tar -cf - -C " + extracted + " . | tar -xpf - -C " + back);
        shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), back.toString());
    }

    @Test
    void ddOf256MibInAndOutKeepsTheChecksum() throws Exception {
        Path source = work.resolve("random.bin");
        Path onMount = mnt.resolve("big.bin");
        Path back = work.resolve("big-back.bin");
        try {
            shell.ok(work, "dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=256", "status=none");
            shell.ok(work, "dd", "if=" + source, "of=" + onMount, "bs=1M", "conv=fsync", "status=none");
            shell.ok(work, "dd", "if=" + onMount, "of=" + back, "bs=1M", "status=none");

            String expected = sha256(source);
            assertThat(sha256(onMount)).isEqualTo(expected);
            assertThat(sha256(back)).isEqualTo(expected);
            assertThat(sha256(backing.resolve("big.bin"))).isEqualTo(expected);
            assertThat(shell.ok(work, "stat", "-c", "%s", onMount.toString()).trim()).isEqualTo("268435456");
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(onMount);
            Files.deleteIfExists(back);
        }
    }

    @Test
    void sqliteBuildsTwentyThousandRowsThatPassIntegrityCheck() throws Exception {
        StringBuilder sql = new StringBuilder("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n");
        sql.append("CREATE INDEX t_v ON t(v);\n");
        for (int batch = 0; batch < 20; batch++) {
            sql.append("BEGIN; WITH RECURSIVE c(x) AS (SELECT ").append(batch * 1000 + 1)
                    .append(" UNION ALL SELECT x + 1 FROM c WHERE x < ").append((batch + 1) * 1000)
                    .append(") INSERT INTO t SELECT x, hex(randomblob(32)) FROM c; COMMIT;\n");
        }
        Files.writeString(work.resolve("build.sql"), sql);

        shell.sh(mnt, "sqlite3 db.sqlite < " + work.resolve("build.sql"));
        String check = shell.ok(mnt, "sqlite3", "db.sqlite",
                "PRAGMA integrity_check; SELECT count(*), sum(length(v)) FROM t;");

        assertThat(check.lines().toList()).containsExactly("ok", "20000|1280000");
        assertThat(Files.exists(backing.resolve("db.sqlite-journal"))).isFalse();
    }

    @Test
    void renameReplacesItsTargetAtomically() throws Exception {
        Files.writeString(mnt.resolve("rename-new"), "new");
        Files.writeString(mnt.resolve("rename-old"), "old");

        shell.ok(mnt, "mv", "-f", "rename-new", "rename-old");

        assertThat(Files.readString(mnt.resolve("rename-old"))).isEqualTo("new");
        assertThat(Files.exists(mnt.resolve("rename-new"))).isFalse();
        assertThat(Files.readString(backing.resolve("rename-old"))).isEqualTo("new");

        // RENAME_NOREPLACE (mv -n) leaves an existing target alone.
        Files.writeString(mnt.resolve("rename-keep"), "keep");
        Files.writeString(mnt.resolve("rename-other"), "other");
        shell.ok(mnt, "mv", "-n", "rename-other", "rename-keep");
        assertThat(Files.readString(mnt.resolve("rename-keep"))).isEqualTo("keep");

        // A directory over an empty directory, and Java's own atomic move.
        Files.createDirectories(mnt.resolve("rename-d1/inner"));
        Files.createDirectory(mnt.resolve("rename-d2"));
        shell.ok(mnt, "mv", "-T", "rename-d1", "rename-d2");
        assertThat(Files.isDirectory(backing.resolve("rename-d2/inner"))).isTrue();
        Files.move(mnt.resolve("rename-old"), mnt.resolve("rename-d2/moved"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(Files.readString(backing.resolve("rename-d2/moved"))).isEqualTo("new");
    }

    @Test
    void anOverwriteIsOneOpenWithTruncNotATruncateAndAnOpen() throws Exception {
        // With atomic_o_trunc the kernel hands O_TRUNC to open instead of calling truncate first;
        // on Sklad a separate truncate would commit an empty version that other agents could see.
        Files.writeString(work.resolve("overwrite-new"), "the new content");
        Files.writeString(mnt.resolve("overwrite"), "the old content, longer");
        long truncatesBefore = calls("truncate");

        shell.ok(work, "cp", work.resolve("overwrite-new").toString(), mnt.resolve("overwrite").toString());
        shell.sh(mnt, "printf shell > overwrite-shell; printf again > overwrite-shell");

        assertThat(calls("truncate")).isEqualTo(truncatesBefore);
        assertThat(Files.readString(backing.resolve("overwrite"))).isEqualTo("the new content");
        assertThat(Files.readString(backing.resolve("overwrite-shell"))).isEqualTo("again");
    }

    private static long calls(String operation) {
        CallStats stats = mount.adapter().callStats().get(operation);
        return stats == null ? 0 : stats.calls();
    }

    @Test
    void truncateShrinksAndExtendsWithZeros() throws Exception {
        byte[] content = new byte[1000];
        new Random(7).nextBytes(content);
        Path file = mnt.resolve("truncate.bin");
        Files.write(file, content);

        shell.ok(mnt, "truncate", "-s", "10", "truncate.bin");
        assertThat(shell.ok(mnt, "stat", "-c", "%s", "truncate.bin").trim()).isEqualTo("10");
        assertThat(Files.readAllBytes(file)).isEqualTo(java.util.Arrays.copyOf(content, 10));

        shell.ok(mnt, "truncate", "-s", "1M", "truncate.bin");
        byte[] extended = Files.readAllBytes(file);
        assertThat(extended).hasSize(1 << 20);
        assertThat(java.util.Arrays.copyOf(extended, 10)).isEqualTo(java.util.Arrays.copyOf(content, 10));
        assertThat(java.util.Arrays.copyOfRange(extended, 10, extended.length)).containsOnly((byte) 0);

        // ftruncate on an open handle.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(5);
        }
        assertThat(Files.size(backing.resolve("truncate.bin"))).isEqualTo(5);
    }

    @Test
    void symlinkAndReadlinkRoundTrip() throws Exception {
        Files.writeString(mnt.resolve("link-target"), "through the link");

        shell.ok(mnt, "ln", "-s", "link-target", "link");
        shell.ok(mnt, "ln", "-s", "/nowhere/at/all", "dangling");

        assertThat(shell.ok(mnt, "readlink", "link").trim()).isEqualTo("link-target");
        assertThat(shell.ok(mnt, "readlink", "dangling").trim()).isEqualTo("/nowhere/at/all");
        assertThat(shell.ok(mnt, "stat", "-c", "%F", "link").trim()).isEqualTo("symbolic link");
        assertThat(shell.ok(mnt, "cat", "link")).isEqualTo("through the link");
        assertThat(Files.readSymbolicLink(backing.resolve("link")).toString()).isEqualTo("link-target");
    }

    @Test
    void chmodChownAndTouchRoundTripThroughStat() throws Exception {
        Files.writeString(mnt.resolve("attrs"), "x");
        Path inBacking = backing.resolve("attrs");

        shell.ok(mnt, "chmod", "4751", "attrs");
        assertThat(stat("%a", "attrs")).isEqualTo("4751");
        shell.ok(mnt, "chmod", "640", "attrs");
        assertThat(stat("%a", "attrs")).isEqualTo("640");
        assertThat(Files.getAttribute(inBacking, "unix:mode")).isEqualTo(0100640);

        shell.ok(mnt, "chown", "1234:5678", "attrs");
        assertThat(stat("%u:%g", "attrs")).isEqualTo("1234:5678");
        shell.ok(mnt, "chown", ":42", "attrs");   // uid -1: unchanged
        assertThat(stat("%u:%g", "attrs")).isEqualTo("1234:42");
        shell.ok(mnt, "chown", "77", "attrs");    // gid -1: unchanged
        assertThat(stat("%u:%g", "attrs")).isEqualTo("77:42");
        assertThat(Files.getAttribute(inBacking, "unix:uid")).isEqualTo(77);

        shell.ok(mnt, "touch", "-d", "2001-02-03 04:05:06.123456789 UTC", "attrs");
        assertThat(stat("%y", "attrs")).isEqualTo("2001-02-03 04:05:06.123456789 +0000");
        shell.ok(mnt, "touch", "-a", "-d", "2010-01-01 00:00:00 UTC", "attrs");   // mtime omitted
        assertThat(stat("%X %Y", "attrs")).isEqualTo("1262304000 981173106");
        shell.ok(mnt, "touch", "attrs");                                           // both now
        assertThat(Long.parseLong(stat("%Y", "attrs")))
                .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));

        shell.ok(mnt, "ln", "-s", "attrs", "attrs-link");
        shell.ok(mnt, "touch", "-h", "-d", "1999-12-31 23:59:59 UTC", "attrs-link");
        assertThat(stat("%Y", "attrs-link")).isEqualTo("946684799");
        assertThat(Files.getLastModifiedTime(inBacking.resolveSibling("attrs-link"), LinkOption.NOFOLLOW_LINKS)
                .toMillis()).isEqualTo(946684799000L);
    }

    @Test
    void errorsReachProgramsAsTheRightErrno() throws Exception {
        Files.createDirectories(mnt.resolve("errno-dir/sub"));
        Files.writeString(mnt.resolve("errno-file"), "x");
        String longName = "n".repeat(300);

        assertThat(shell.fails(mnt, "cat", "errno-missing")).contains(ENOENT);
        assertThat(shell.fails(mnt, "rmdir", "errno-dir")).contains(ENOTEMPTY);
        assertThat(shell.fails(mnt, "sh", "-c", "echo x > errno-dir")).contains(EISDIR);
        assertThat(shell.fails(mnt, "touch", longName)).contains(ENAMETOOLONG);
        assertThat(shell.fails(mnt, "mkdir", longName)).contains(ENAMETOOLONG);
        assertThat(shell.fails(mnt, "mkdir", "errno-dir")).contains(EEXIST);
        assertThat(shell.fails(mnt, "ln", "errno-file", "errno-hardlink")).contains(EPERM);
        assertThat(shell.fails(mnt, "mkfifo", "errno-fifo")).contains(EPERM);
        assertThat(shell.ok(mnt, "stat", "-f", "-c", "%l", ".").trim()).isEqualTo("255");
        // Nothing stored was touched by the failures.
        assertThat(Files.readString(backing.resolve("errno-file"))).isEqualTo("x");
        assertThat(Files.isDirectory(backing.resolve("errno-dir/sub"))).isTrue();
    }

    @Test
    void writesAtAnyOffsetInAnyOrderFromManyThreads() throws Exception {
        int chunk = 64 * 1024;
        byte[] expected = new byte[64 * chunk];
        new Random(11).nextBytes(expected);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(3));
        Path file = mnt.resolve("offsets.bin");

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            List<Future<?>> writes = new ArrayList<>();
            for (int index : order) {
                writes.add(pool.submit(() -> {
                    ByteBuffer data = ByteBuffer.wrap(expected, index * chunk, chunk);
                    long position = (long) index * chunk;
                    while (data.hasRemaining()) {
                        position += channel.write(data, position);
                    }
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get();
            }
            channel.force(true);
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readAllBytes(backing.resolve("offsets.bin"))).isEqualTo(expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);

        // A write far past the end leaves a hole of zeros.
        try (FileChannel channel = FileChannel.open(mnt.resolve("sparse.bin"),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10L << 20);
        }
        assertThat(Files.size(backing.resolve("sparse.bin"))).isEqualTo((10L << 20) + 3);
    }

    @Test
    void mountRefusesABusyOrBadMountPointClearly() throws Exception {
        assertThatThrownBy(() -> FuseMount.mount(backing, mnt, MountOptions.defaults()))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("already mounted");

        Path full = Files.createDirectories(scratch.resolve("full"));
        Files.writeString(full.resolve("something"), "x");
        assertThatThrownBy(() -> FuseMount.mount(backing, full, MountOptions.defaults()))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("not empty");

        assertThatThrownBy(() -> FuseMount.mount(backing, scratch.resolve("absent"), MountOptions.defaults()))
                .isInstanceOf(NoSuchFileException.class);
        Path empty = Files.createDirectories(scratch.resolve("refused-empty"));
        assertThatThrownBy(() -> FuseMount.mount(full.resolve("something"), empty, MountOptions.defaults()))
                .isInstanceOf(NotDirectoryException.class);

        // libfuse itself refuses: the failure is reported, not a mount assumed.
        MountOptions bogus = new MountOptions("sklad", true, true, false, false, false, false,
                Duration.ofSeconds(10), Duration.ofSeconds(5), List.of("no_such_fuse_option"));
        assertThatThrownBy(() -> FuseMount.mount(backing, empty, bogus))
                .isInstanceOf(IOException.class).hasMessageContaining("failed").hasMessageContaining("return code");
        assertThat(MountTable.find(empty.toRealPath())).isEmpty();
        assertThat(mount.isMounted()).isTrue();
    }

    @Test
    void unmountAndRemountKeepsEverything() throws Exception {
        Path root = Files.createDirectories(scratch.resolve("remount-backing"));
        Path point = Files.createDirectories(scratch.resolve("remount-mnt"));
        Path src = makeTree(work.resolve("remount-src"), 50, 2, 20);

        FuseMount first = FuseMount.mount(root, point, MountOptions.defaults().withSingleThreaded(true));
        shell.ok(work, "cp", "-a", src.toString(), point.resolve("tree").toString());
        first.close();
        first.close();   // idempotent
        assertThat(first.isMounted()).isFalse();
        assertThat(Files.exists(point.resolve("tree"))).isFalse();
        assertThat(first.adapter().openHandles()).isZero();

        try (FuseMount second = FuseMount.mount(root, point, MountOptions.defaults())) {
            shell.ok(work, "diff", "-r", "--no-dereference", src.toString(), point.resolve("tree").toString());
            assertThat(second.adapter().callStats()).containsKey("getattr");
        }
    }

    @Test
    void staleMountOfAKilledProcessIsClearedByTheNextMount() throws Exception {
        Path root = Files.createDirectories(scratch.resolve("stale-backing"));
        Path point = Files.createDirectories(scratch.resolve("stale-mnt"));
        Files.writeString(root.resolve("survivor"), "still here");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MountChild.class.getName(),
                root.toString(), point.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("MOUNTED")) {
                // skip the child's log lines
            }
            assertThat(line).as("child JVM mounted").isNotNull();
            child.destroyForcibly();   // SIGKILL: no unmount, no shutdown hooks
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThatThrownBy(() -> Files.readAttributes(point, "basic:*"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Transport endpoint is not connected");

        try (FuseMount again = FuseMount.mount(root, point, MountOptions.defaults())) {
            assertThat(Files.readString(point.resolve("survivor"))).isEqualTo("still here");
        }
        assertThat(Files.readAttributes(point, "basic:*")).isNotEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * A tree with one large directory and a few nested ones, files of varied modes, owners and
     * times, symbolic links and an empty directory.
     */
    private static Path makeTree(Path top, int bigFiles, int dirs, int filesPerDir) throws Exception {
        Path big = Files.createDirectories(top.resolve("big"));
        for (int i = 1; i <= bigFiles; i++) {
            Files.writeString(big.resolve("f" + i), "file " + i + "\n".repeat(i % 7));
        }
        for (int d = 1; d <= dirs; d++) {
            Path sub = Files.createDirectories(top.resolve("d" + d).resolve("sub"));
            for (int i = 1; i <= filesPerDir; i++) {
                Files.writeString(sub.resolve("g" + i + ".txt"), ("dir " + d + " file " + i + "\n").repeat(i));
            }
        }
        Files.createDirectories(top.resolve("empty"));
        Files.createSymbolicLink(top.resolve("d1/link-to-big"), Path.of("../big/f1"));
        Files.createSymbolicLink(top.resolve("dangling"), Path.of("no/such/target"));
        Files.writeString(top.resolve("ünïcødé name with spaces"), "utf-8");
        shell.sh(top, "chmod 600 d1/sub/g1.txt && chmod 755 d1/sub/g2.txt && chmod 1777 empty"
                + " && chown 1000:1000 d1/sub/g3.txt && chown -h 12:34 dangling"
                + " && touch -d '2020-05-06 07:08:09' d1/sub/g4.txt && touch -h -d '2019-01-01' d1/link-to-big");
        return top;
    }

    /**
     * Type, mode, owner, mtime, size and link target of everything under a directory. Times are
     * cut to microseconds: the JDK sets a symbolic link's times with lutimes(2), which has no more.
     */
    private static String attributeListing(Path dir) throws Exception {
        // A directory's size is the backing file system's business, so it is left out.
        return shell.sh(dir, "(find . -type d -printf '%p %y %m %U %G %T@\\n';"
                + " find . ! -type d -printf '%p %y %m %U %G %T@ %s %l\\n') | sort")
                .replaceAll("(\\.\\d{6})\\d+ ", "$1 ");
    }

    private static String sha256(Path file) throws Exception {
        return shell.ok(work, "sha256sum", file.toString()).split(" ")[0];
    }

    private static String stat(String format, String name) throws Exception {
        return shell.ok(mnt, "stat", "-c", format, name).trim();
    }
}
