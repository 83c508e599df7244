package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * The Linux davfs2 client mounting the WebDAV drive of a real {@code sklad up} (volume {@code main}) and used
 * as a user would: a 200 MiB random file in and out with matching SHA-256, rename, delete, and a folder of
 * 2 000 files. Needs root, /dev/fuse and davfs2; what went through the mount is checked with {@code sklad}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DavfsMountIT {

    private static final long BIG = 200L << 20;
    private static final int MANY = 2000;

    @TempDir
    static Path dir;

    DavUp up;
    DavClient dav;
    Path mnt;
    boolean mounted;
    Path big;
    String bigSha;

    @BeforeAll
    void start() throws Exception {
        Tools.require(Files.isExecutable(Path.of("/usr/sbin/mount.davfs")) || Files.isExecutable(Path.of("/sbin/mount.davfs")),
                "davfs2 is not installed (apt-get install davfs2)");
        Tools.require(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing");
        Tools.require(run(10, "id", "-u").stdout().trim().equals("0"), "mounting davfs needs root");
        // JUnit makes temp dirs private; mount.davfs drops to the davfs2 user and must reach its cache.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        mnt = Files.createDirectory(dir.resolve("mnt"));
        up = DavUp.start(dir);
        dav = up.client();
        big = RandomFiles.create(dir.resolve("big.bin"), BIG, 200);
        bigSha = RandomFiles.sha256(big);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (mounted) {
                umount();
            }
        } finally {
            if (up != null) {
                up.close();
            }
        }
    }

    @Test
    @Order(1)
    void aBigFileCopiedInLandsIntactInTheVolume() throws Exception {
        mount("cache-in");
        try {
            Files.createDirectory(mnt.resolve("dav"));
            Files.copy(big, mnt.resolve("dav/big.bin"));
        } finally {
            umount(); // returns once davfs2 has uploaded everything
        }
        assertThat(up.ok("stat", "/main/dav/big.bin").stdout()).contains(Long.toString(BIG));
        Path back = dir.resolve("big-sklad-get.bin");
        up.ok("get", "/main/dav/big.bin", back.toString());
        assertThat(RandomFiles.sha256(back)).isEqualTo(bigSha);
        Files.delete(back);
    }

    @Test
    @Order(2)
    void readRenameDeleteAndListAFolderOf2000Files() throws Exception {
        assertThat(dav.status("MKCOL", "/main/dav/many/")).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                String name = "f" + i + ".txt";
                String body = "file " + i;
                puts.add(pool.submit(() -> dav.send("PUT", "/main/dav/many/" + name, body).statusCode()));
            }
            for (Future<Integer> f : puts) {
                assertThat(f.get()).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        long t0 = System.nanoTime();
        HttpResponse<String> listing = dav.send("PROPFIND", "/main/dav/many/", (String) null, "Depth", "1");
        long propfindMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(listing.statusCode()).isEqualTo(207);
        assertThat(listing.body().split("<D:response>", -1)).hasSize(MANY + 2);
        System.out.println("PROPFIND Depth 1 of " + MANY + " files: " + propfindMs + " ms");
        assertThat(propfindMs).isLessThan(15_000);

        String bigEtag = dav.send("HEAD", "/main/dav/big.bin", (String) null).headers().firstValue("ETag").orElseThrow();
        mount("cache-out"); // a fresh cache: everything read below comes from the server
        try {
            try (Stream<Path> s = Files.list(mnt.resolve("dav/many"))) {
                assertThat(s.count()).isEqualTo(MANY);
            }
            assertThat(Files.readString(mnt.resolve("dav/many/f1234.txt"))).isEqualTo("file 1234");
            Path out = dir.resolve("big-out.bin");
            Files.copy(mnt.resolve("dav/big.bin"), out);
            assertThat(RandomFiles.sha256(out)).isEqualTo(bigSha);
            Files.delete(out);

            Files.move(mnt.resolve("dav/big.bin"), mnt.resolve("dav/renamed.bin"));
            Files.delete(mnt.resolve("dav/many/f7.txt"));
            Files.writeString(mnt.resolve("dav/note.txt"), "written through davfs2\n");
        } finally {
            umount();
        }
        String ls = up.ok("ls", "/main/dav").stdout();
        assertThat(ls).contains("renamed.bin").contains("note.txt").doesNotContain("big.bin");
        assertThat(up.sklad("stat", "/main/dav/many/f7.txt").exitCode()).isNotZero();
        assertThat(up.ok("ls", "/main/dav/many").stdout().lines().filter(l -> l.contains("f")).count())
                .isEqualTo(MANY - 1);
        // renamed, not rewritten: the same version (size and time) under the new name
        HttpResponse<String> renamed = dav.send("HEAD", "/main/dav/renamed.bin", (String) null);
        assertThat(renamed.statusCode()).isEqualTo(200);
        assertThat(renamed.headers().firstValue("ETag")).hasValue(bigEtag);
        assertThat(renamed.headers().firstValueAsLong("Content-Length")).hasValue(BIG);
        Path note = dir.resolve("note-back.txt");
        up.ok("get", "/main/dav/note.txt", note.toString());
        assertThat(Files.readString(note, StandardCharsets.UTF_8)).isEqualTo("written through davfs2\n");
    }

    /** A davfs2.conf of our own: cache owned root:davfs2 as mount.davfs wants, credentials in a secrets file. */
    private Path davfsConfig(String cacheName) throws Exception {
        Path cache = Files.createDirectory(dir.resolve(cacheName));
        assertThat(run(10, "chown", "root:davfs2", cache.toString()).exitCode()).isZero();
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path secrets = dir.resolve("secrets");
        Files.writeString(secrets, up.url("/main/") + " " + DavUp.USER + " " + DavUp.PASSWORD + "\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        Path conf = dir.resolve(cacheName + ".conf");
        // buf_size 64: davfs2 1.6 fails reads on kernels >= 6.16 with its default buffer.
        Files.writeString(conf, String.join("\n", "buf_size 64", "cache_dir " + cache, "secrets " + secrets,
                "delay_upload 0", "use_locks 1", "ask_auth 0", ""));
        return conf;
    }

    private void mount(String cacheName) throws Exception {
        Path conf = davfsConfig(cacheName);
        CommandResult r = run(60, "mount", "-t", "davfs", "-o", "conf=" + conf, up.url("/main/"), mnt.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        mounted = true;
    }

    private void umount() throws Exception {
        CommandResult r = run(300, "umount", mnt.toString());
        if (r.exitCode() != 0) {
            run(30, "umount", "-l", mnt.toString());
        }
        mounted = false;
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    private static CommandResult run(long timeoutSeconds, String... cmd) throws Exception {
        return Commands.run(dir, Map.of(), timeoutSeconds, List.of(cmd));
    }
}
