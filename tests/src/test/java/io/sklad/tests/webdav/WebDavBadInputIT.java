package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against the WebDAV drive of a real {@code sklad up}: each answer has the right status, and
 * after each test the stored data is exactly as before, as {@code sklad get}, {@code sklad versions},
 * {@code sklad ls} and a WebDAV GET see it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebDavBadInputIT {

    private static final String KEEP = "/main/keep/keep.bin";

    @TempDir
    static Path dir;

    DavUp up;
    DavClient dav;
    Path keep;
    String keepSha;
    String keepVersions;
    String keepListing;

    @BeforeAll
    void start() throws Exception {
        up = DavUp.start(dir);
        dav = up.client();
        up.ok("volume", "create", "scratch", "--replicas", "1");
        up.ok("volume", "create", "team", "--replicas", "1");
        up.ok("mkdir", "/main/keep");
        up.ok("mkdir", "/main/keep/sub");
        keep = RandomFiles.create(dir.resolve("keep.bin"), 300_000, 42);
        keepSha = RandomFiles.sha256(keep);
        up.ok("put", keep.toString(), KEEP);
        up.ok("put", keep.toString(), "/main/keep/sub/inner.bin");
        up.ok("put", keep.toString(), "/scratch/s.bin");
        keepVersions = up.ok("versions", KEEP).stdout();
        keepListing = listing();
    }

    @AfterAll
    void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    /** What WebDAV lists (names, sizes, times, etags) in and around the kept folder. */
    private String listing() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String folder : List.of("/main/keep/", "/main/keep/sub/", "/scratch/")) {
            HttpResponse<String> r = dav.send("PROPFIND", folder, (String) null, "Depth", "1");
            assertThat(r.statusCode()).as(folder).isEqualTo(207);
            sb.append(r.body());
        }
        // the volumes (by name only: other tests write into /main, which changes its times)
        HttpResponse<String> root = dav.send("PROPFIND", "/", (String) null, "Depth", "1");
        assertThat(root.statusCode()).isEqualTo(207);
        Matcher m = Pattern.compile("<D:href>([^<]*)</D:href>").matcher(root.body());
        while (m.find()) {
            sb.append(m.group(1)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Nothing stored changed: same bytes (sklad get and a GET), same entries with the same sizes, times and
     * etags (so no new version either: {@link #noTestLeftANewVersion} asks sklad once at the end), same volumes.
     */
    @AfterEach
    void storedDataIsUnchanged() throws Exception {
        Path back = dir.resolve("keep-back");
        Files.deleteIfExists(back);
        up.ok("get", KEEP, back.toString());
        assertThat(RandomFiles.sha256(back)).isEqualTo(keepSha);
        assertThat(listing()).isEqualTo(keepListing);
        assertThat(dav.sha256(KEEP)).isEqualTo(keepSha);
    }

    @Test
    @Order(30)
    void noTestLeftANewVersion() throws Exception {
        assertThat(up.ok("versions", KEEP).stdout()).isEqualTo(keepVersions);
    }

    @Test
    @Order(1)
    void pathsOutsideTheVolumesAndUnknownVolumes() throws Exception {
        // an unknown volume is simply not there
        assertThat(dav.status("GET", "/novolume/keep.bin")).isEqualTo(404);
        assertThat(dav.send("PROPFIND", "/novolume/", (String) null, "Depth", "0").statusCode()).isEqualTo(404);
        assertThat(dav.status("DELETE", "/novolume/")).isEqualTo(404);
        // RFC 4918 §9.7.1: a PUT whose parent collection is missing is 409 Conflict
        assertThat(dav.put("/novolume/x.bin", keep).statusCode()).isEqualTo(409);
        assertThat(dav.send("COPY", KEEP, (String) null, "Destination", up.url("/novolume/x.bin")).statusCode())
                .isEqualTo(409);
        // the root lists volumes: it takes no files, and volumes are not made (or removed) over WebDAV
        assertThat(dav.put("/stray.bin", keep).statusCode()).isEqualTo(403);
        assertThat(dav.status("MKCOL", "/newvolume/")).isEqualTo(403);
        assertThat(dav.send("MOVE", "/main/keep/", (String) null, "Destination", up.url("/moved/")).statusCode())
                .isEqualTo(403);
        // escapes: dot segments, encoded or not, an encoded slash, NUL, an over-long name. Jetty itself
        // refuses the first three (before the servlet) and then drops the kept-alive connection; the JDK
        // client retries a GET on a fresh one but not a PUT, so each PUT here gets connections of its own.
        Path tiny = RandomFiles.create(dir.resolve("tiny"), 10, 46);
        for (String path : List.of("/main/keep/%2e%2e/%2e%2e/etc/passwd", "/main/keep/..%2F..%2Fetc",
                "/main/keep/x%00y", "/main/keep/" + "n".repeat(256))) {
            assertThat(dav.status("GET", path)).as(path).isEqualTo(400);
            assertThat(fresh().put(path, tiny).statusCode()).as(path).isEqualTo(400);
        }
        assertThat(fresh().put("/main/keep/sub/%2e%2e/%2e%2e/%2e%2e/escaped.bin", tiny).statusCode()).isEqualTo(400);
        assertThat(dav.send("MOVE", KEEP, (String) null, "Destination", up.url("/main/keep/%2e%2e/%2e%2e/x")).statusCode())
                .isEqualTo(400);
        assertThat(dav.send("COPY", KEEP, (String) null, "Destination", "http://elsewhere.example/main/x").statusCode())
                .isEqualTo(502);
        assertThat(up.ok("ls", "/main").stdout()).doesNotContain("escaped").doesNotContain("moved");
    }

    /** A volume root cannot be removed: refused before anything inside it is touched. */
    @Test
    @Order(2)
    void volumeRootsAreNotEmptiedByARefusedDeleteCopyOrMove() throws Exception {
        assertThat(dav.send("DELETE", "/scratch/", (String) null, "Depth", "infinity").statusCode()).isEqualTo(403);
        assertThat(dav.send("COPY", KEEP, (String) null, "Destination", up.url("/scratch/"), "Overwrite", "T")
                .statusCode()).isEqualTo(403);
        assertThat(dav.send("MOVE", "/main/keep/sub/", (String) null, "Destination", up.url("/scratch/"),
                "Overwrite", "T").statusCode()).isEqualTo(403);
        assertThat(dav.send("MOVE", "/scratch/", (String) null, "Destination", up.url("/main/keep/sub/"),
                "Overwrite", "T").statusCode()).isEqualTo(403);
        assertThat(dav.status("DELETE", "/main/")).isEqualTo(403);
    }

    @Test
    @Order(3)
    void putToALockedFileWithoutTheTokenIsLocked() throws Exception {
        HttpResponse<String> lock = dav.send("LOCK", KEEP, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                        + "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
                        + "<D:locktype><D:write/></D:locktype><D:owner>bad-input test</D:owner></D:lockinfo>",
                "Depth", "0", "Timeout", "Second-300");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow().replaceAll("[<>]", "");
        try {
            Path other = RandomFiles.create(dir.resolve("other"), 1000, 43);
            assertThat(dav.put(KEEP, other).statusCode()).isEqualTo(423);
            assertThat(dav.put(KEEP, other, "If", "(<opaquelocktoken:00000000-0000-0000-0000-000000000000>)")
                    .statusCode()).isIn(412, 423);
            assertThat(dav.status("DELETE", KEEP)).isEqualTo(423);
            assertThat(dav.status("DELETE", "/main/keep/")).isEqualTo(423);
            assertThat(dav.send("MOVE", KEEP, (String) null, "Destination", up.url("/main/keep/moved.bin")).statusCode())
                    .isEqualTo(423);
            assertThat(dav.send("COPY", "/main/keep/sub/inner.bin", (String) null, "Destination", up.url(KEEP))
                    .statusCode()).isEqualTo(423);
            assertThat(dav.send("PROPPATCH", KEEP, "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:schemas-microsoft-com:\">"
                    + "<D:set><D:prop><Z:Win32LastModifiedTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32LastModifiedTime>"
                    + "</D:prop></D:set></D:propertyupdate>").statusCode()).isEqualTo(423);
            assertThat(dav.send("LOCK", KEEP, "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
                    + "<D:locktype><D:write/></D:locktype></D:lockinfo>", "Depth", "0").statusCode()).isEqualTo(423);
            // the lock shows, with its token, to anyone who looks
            assertThat(dav.propfind(KEEP, "0", "<D:lockdiscovery/>").body()).contains(token);
        } finally {
            assertThat(dav.send("UNLOCK", KEEP, (String) null, "Lock-Token", "<" + token + ">").statusCode())
                    .isEqualTo(204);
        }
    }

    @Test
    @Order(4)
    void aDepthInfinityLockOnAFolderProtectsWhatIsInside() throws Exception {
        HttpResponse<String> lock = dav.send("LOCK", "/main/keep/sub/", "<D:lockinfo xmlns:D=\"DAV:\">"
                + "<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>",
                "Depth", "infinity", "Timeout", "Second-300");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow().replaceAll("[<>]", "");
        try {
            assertThat(dav.put("/main/keep/sub/new.bin", keep).statusCode()).isEqualTo(423);
            assertThat(dav.put("/main/keep/sub/inner.bin", keep).statusCode()).isEqualTo(423);
            assertThat(dav.status("MKCOL", "/main/keep/sub/newdir/")).isEqualTo(423);
            assertThat(dav.status("DELETE", "/main/keep/sub/inner.bin")).isEqualTo(423);
        } finally {
            assertThat(dav.send("UNLOCK", "/main/keep/sub/", (String) null, "Lock-Token", "<" + token + ">")
                    .statusCode()).isEqualTo(204);
        }
    }

    @Test
    @Order(5)
    void malformedXmlBodiesAre400() throws Exception {
        List<String> broken = List.of(
                "<D:propfind xmlns:D=\"DAV:\"><D:prop>",                       // truncated
                "this is not xml",
                "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/></D:propfind>", // mismatched
                "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                        + "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:x>&b;</D:x></D:prop></D:propfind>",    // entities
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><D:propfind xmlns:D=\"DAV:\">"
                        + "<D:prop><D:x>&e;</D:x></D:prop></D:propfind>");                                  // XXE
        for (String body : broken) {
            assertThat(dav.send("PROPFIND", KEEP, body, "Depth", "0").statusCode()).as(body).isEqualTo(400);
            assertThat(dav.send("PROPPATCH", KEEP, body).statusCode()).as(body).isEqualTo(400);
            assertThat(dav.send("LOCK", KEEP, body, "Depth", "0").statusCode()).as(body).isEqualTo(400);
            assertThat(dav.send("LOCK", "/main/keep/unmapped.bin", body, "Depth", "0").statusCode()).as(body)
                    .isEqualTo(400);
        }
        // well-formed, but not what the method takes
        assertThat(dav.send("PROPFIND", KEEP, "<D:lockinfo xmlns:D=\"DAV:\"/>", "Depth", "0").statusCode()).isEqualTo(400);
        assertThat(dav.send("PROPPATCH", KEEP, "<D:propertyupdate xmlns:D=\"DAV:\"/>").statusCode()).isEqualTo(400);
        assertThat(dav.send("PROPPATCH", KEEP, "").statusCode()).isEqualTo(400);
        assertThat(dav.send("LOCK", KEEP, "<D:lockinfo xmlns:D=\"DAV:\"><D:locktype><D:write/></D:locktype></D:lockinfo>",
                "Depth", "0").statusCode()).isEqualTo(400);
        // an XML body far beyond what any client sends
        String huge = "<D:propfind xmlns:D=\"DAV:\"><D:prop>" + "<D:getetag/>".repeat(200_000) + "</D:prop></D:propfind>";
        assertThat(dav.send("PROPFIND", KEEP, huge, "Depth", "0").statusCode()).isEqualTo(413);
        // none of these left a lock behind or created the unmapped file
        assertThat(dav.propfind(KEEP, "0", "<D:lockdiscovery/>").body()).doesNotContain("activelock");
        assertThat(dav.status("HEAD", "/main/keep/unmapped.bin")).isEqualTo(404);
    }

    @Test
    @Order(6)
    void overDeepPropfindIsRefused() throws Exception {
        for (String path : List.of("/", "/main/", "/main/keep/")) {
            HttpResponse<String> inf = dav.send("PROPFIND", path, (String) null, "Depth", "infinity");
            assertThat(inf.statusCode()).as(path).isEqualTo(403);
            assertThat(inf.body()).contains("propfind-finite-depth");
            // no Depth header means infinity (RFC 4918 §9.1)
            assertThat(dav.send("PROPFIND", path, (String) null).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(dav.send("PROPFIND", "/main/", (String) null, "Depth", "2").statusCode()).isEqualTo(400);
        assertThat(dav.send("PROPFIND", "/main/", (String) null, "Depth", "-1").statusCode()).isEqualTo(400);
        assertThat(dav.send("PROPFIND", "/main/keep/", (String) null, "Depth", "1").statusCode()).isEqualTo(207);
    }

    /** Another client (here {@code sklad put} reading a pipe) holds the file's write lease: 423, not 500. */
    @Test
    @Order(7)
    void putWhileAnotherClientWritesTheFileIsLocked() throws Exception {
        Path fifo = dir.resolve("pipe");
        assertThat(Commands.run(dir, Map.of(), 10, List.of("mkfifo", fifo.toString())).exitCode()).isZero();
        try (SkladProcess put = SkladProcess.start("put-pipe", dir, Map.of(), "put", fifo.toString(), "/main/pipe.bin")) {
            byte[] data = "written by the other client\n".getBytes(StandardCharsets.UTF_8);
            try (OutputStream pipe = Files.newOutputStream(fifo)) {   // opens once sklad put reads it
                awaitStatus("/main/pipe.bin", 200, Duration.ofSeconds(60));
                Thread.sleep(500); // created before its lease is taken: let the lease land
                assertThat(dav.put("/main/pipe.bin", keep).statusCode()).isEqualTo(423);
                // the other client's write lease keeps an exclusive WebDAV lock out too
                assertThat(dav.send("LOCK", "/main/pipe.bin", EXCLUSIVE_LOCK, "Depth", "0").statusCode()).isEqualTo(423);
                pipe.write(data);
            }
            assertThat(waitFor(put)).as(put.output()).isZero();
            assertThat(dav.send("GET", "/main/pipe.bin", (String) null).body())
                    .isEqualTo(new String(data, StandardCharsets.UTF_8));
        }
        assertThat(dav.status("DELETE", "/main/pipe.bin")).isEqualTo(204);
    }

    /** A WebDAV LOCK keeps other clients out: it holds the master's lease on the file. */
    @Test
    @Order(8)
    void aWebDavLockKeepsOtherClientsOut() throws Exception {
        HttpResponse<String> lock = dav.send("LOCK", KEEP, "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/>"
                + "</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>", "Depth", "0", "Timeout", "Second-300");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow().replaceAll("[<>]", "");
        try {
            Path other = RandomFiles.create(dir.resolve("intruder"), 1000, 44);
            CommandResult put = up.sklad("put", other.toString(), KEEP);
            assertThat(put.exitCode()).as(put.toString()).isNotZero();
            assertThat(put.stderr()).containsIgnoringCase("lock");
        } finally {
            dav.send("UNLOCK", KEEP, (String) null, "Lock-Token", "<" + token + ">");
        }
    }

    private DavClient newUser(String name, String password, String volume, boolean readOnly) throws Exception {
        up.ok("user", "add", name, "--password=" + password);
        if (readOnly) {
            up.ok("user", "grant", name, volume, "--read-only");
        } else {
            up.ok("user", "grant", name, volume);
        }
        return dav.as(name, password);
    }

    private static final String EXCLUSIVE_LOCK = "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
            + "<D:locktype><D:write/></D:locktype></D:lockinfo>";

    /** A user granted only volume team: the other volumes are invisible and untouchable for them. */
    @Test
    @Order(9)
    void aUserSeesAndTouchesOnlyTheVolumesGrantedToThem() throws Exception {
        DavClient buh = newUser("buh", "Buh-pass-1", "team", false);
        HttpResponse<String> root = buh.send("PROPFIND", "/", (String) null, "Depth", "1");
        assertThat(root.statusCode()).isEqualTo(207);
        assertThat(root.body()).contains("<D:href>/team/</D:href>").doesNotContain("/main/").doesNotContain("/scratch/");

        assertThat(buh.status("GET", KEEP)).isIn(403, 404);
        assertThat(buh.send("PROPFIND", "/main/keep/", (String) null, "Depth", "1").statusCode()).isIn(403, 404);
        assertThat(buh.put("/main/keep/buh.bin", keep).statusCode()).isIn(403, 404);
        assertThat(buh.put(KEEP, keep).statusCode()).isIn(403, 404);
        assertThat(buh.send("DELETE", "/main/keep/", (String) null, "Depth", "infinity").statusCode()).isIn(403, 404);
        assertThat(buh.status("MKCOL", "/scratch/buh/")).isIn(403, 404);
        assertThat(buh.send("LOCK", KEEP, EXCLUSIVE_LOCK, "Depth", "0").statusCode()).isIn(403, 404);
        assertThat(buh.send("COPY", KEEP, (String) null, "Destination", up.url("/team/stolen.bin")).statusCode())
                .isIn(403, 404);
        assertThat(buh.send("MOVE", "/scratch/s.bin", (String) null, "Destination", up.url("/team/s.bin")).statusCode())
                .isIn(403, 404);
        // what they were granted works
        assertThat(buh.put("/team/buh.bin", keep).statusCode()).isEqualTo(201);
        assertThat(buh.send("COPY", "/team/buh.bin", (String) null, "Destination", up.url("/main/keep/buh.bin"))
                .statusCode()).isIn(403, 404);
        assertThat(buh.sha256("/team/buh.bin")).isEqualTo(keepSha);
        assertThat(buh.status("DELETE", "/team/buh.bin")).isEqualTo(204);
    }

    @Test
    @Order(10)
    void aReadOnlyUserReadsButChangesNothing() throws Exception {
        DavClient auditor = newUser("auditor", "Auditor-pass-1", "main", true);
        assertThat(auditor.sha256(KEEP)).isEqualTo(keepSha);
        assertThat(auditor.send("PROPFIND", "/main/keep/", (String) null, "Depth", "1").statusCode()).isEqualTo(207);
        assertThat(auditor.put(KEEP, keep).statusCode()).isEqualTo(403);
        assertThat(auditor.put("/main/keep/new.bin", keep).statusCode()).isEqualTo(403);
        assertThat(auditor.status("DELETE", KEEP)).isEqualTo(403);
        assertThat(auditor.status("MKCOL", "/main/keep/newdir/")).isEqualTo(403);
        assertThat(auditor.send("MOVE", KEEP, (String) null, "Destination", up.url("/main/keep/moved.bin")).statusCode())
                .isEqualTo(403);
        assertThat(auditor.send("COPY", KEEP, (String) null, "Destination", up.url("/main/keep/copy.bin")).statusCode())
                .isEqualTo(403);
    }

    /** A lock is everybody's business: another user's write without the token is refused. */
    @Test
    @Order(11)
    void aLockOfOneUserKeepsOtherUsersOut() throws Exception {
        DavClient editor = newUser("editor", "Editor-pass-1", "main", false);
        HttpResponse<String> lock = editor.send("LOCK", KEEP, EXCLUSIVE_LOCK, "Depth", "0", "Timeout", "Second-300");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow().replaceAll("[<>]", "");
        try {
            assertThat(dav.put(KEEP, keep).statusCode()).isEqualTo(423);
            assertThat(dav.status("DELETE", KEEP)).isEqualTo(423);
            assertThat(dav.send("LOCK", KEEP, EXCLUSIVE_LOCK, "Depth", "0").statusCode()).isEqualTo(423);
            // admin sees the lock, but its token is the editor's to use
            assertThat(dav.propfind(KEEP, "0", "<D:lockdiscovery/>").body()).contains(token)
                    .contains("<D:lockroot><D:href>" + KEEP + "</D:href></D:lockroot>");
            assertThat(dav.put(KEEP, keep, "If", "(<" + token + ">)").statusCode()).isEqualTo(423);
            assertThat(dav.send("UNLOCK", KEEP, (String) null, "Lock-Token", "<" + token + ">").statusCode()).isEqualTo(403);
        } finally {
            assertThat(editor.send("UNLOCK", KEEP, (String) null, "Lock-Token", "<" + token + ">").statusCode())
                    .isEqualTo(204);
        }
    }

    /** A read-only user must not be able to lock writers out, nor change properties. */
    @Test
    @Order(12)
    void aReadOnlyUserCannotLock() throws Exception {
        DavClient reader = newUser("reader", "Reader-pass-1", "main", true);
        HttpResponse<String> lock = reader.send("LOCK", KEEP, EXCLUSIVE_LOCK, "Depth", "0", "Timeout", "Second-60");
        HttpResponse<String> shared = reader.send("LOCK", KEEP, EXCLUSIVE_LOCK.replace("exclusive", "shared"),
                "Depth", "0", "Timeout", "Second-60");
        try {
            assertThat(lock.statusCode()).isEqualTo(403);
            assertThat(shared.statusCode()).isEqualTo(403);
            assertThat(reader.send("LOCK", "/main/keep/unmapped-by-reader.bin", EXCLUSIVE_LOCK, "Depth", "0")
                    .statusCode()).isEqualTo(403);
            assertThat(reader.send("PROPPATCH", KEEP, "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:X=\"urn:x\">"
                    + "<D:set><D:prop><X:tag>reader</X:tag></D:prop></D:set></D:propertyupdate>").statusCode())
                    .isEqualTo(403);
            assertThat(reader.put(KEEP, keep).statusCode()).isEqualTo(403);
            assertThat(dav.propfind(KEEP, "0", "<D:lockdiscovery/>").body()).doesNotContain("activelock");
        } finally {
            shared.headers().firstValue("Lock-Token").ifPresent(t -> {
                try {
                    reader.send("UNLOCK", KEEP, (String) null, "Lock-Token", t);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            lock.headers().firstValue("Lock-Token").ifPresent(t -> {
                try {
                    reader.send("UNLOCK", KEEP, (String) null, "Lock-Token", t);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** Runs last: the failures it piles up slow down every later failure from this address. */
    @Test
    @Order(20)
    void wrongPasswordsAre401AndRepeatedFailuresSlowDown() throws Exception {
        DavClient wrong = dav.as(DavUp.USER, "not-the-password");
        DavClient nobody = dav.as(null, null);
        HttpResponse<String> none = nobody.send("PROPFIND", "/main/", (String) null, "Depth", "0");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));

        long first = timed(() -> assertThat(wrong.status("GET", KEEP)).isEqualTo(401));
        // writes with a wrong password or an unknown user are refused before they touch anything
        Path small = RandomFiles.create(dir.resolve("small"), 1000, 45);
        assertThat(wrong.put(KEEP, small).statusCode()).isEqualTo(401);
        assertThat(wrong.status("DELETE", KEEP)).isEqualTo(401);
        assertThat(dav.as("mallory", DavUp.PASSWORD).put("/main/keep/mallory.bin", small).statusCode()).isEqualTo(401);
        long fifth = timed(() -> assertThat(wrong.status("GET", KEEP)).isEqualTo(401));
        long sixth = timed(() -> assertThat(wrong.status("GET", KEEP)).isEqualTo(401));
        // 100 ms doubling per failure: the 5th failure waits 800 ms, the 6th 1.6 s
        assertThat(sixth).as("6th failure %d ms, 1st %d ms", sixth, first).isGreaterThanOrEqualTo(1500)
                .isGreaterThan(first + 1000);
        assertThat(sixth).isGreaterThan(fifth);
        // the right password is not slowed down by someone else's failures
        long right = timed(() -> assertThat(dav.status("HEAD", KEEP)).isEqualTo(200));
        assertThat(right).isLessThan(1000);
    }

    private DavClient fresh() {
        return dav.freshConnections(DavUp.USER, DavUp.PASSWORD);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static long timed(Step s) throws Exception {
        long t0 = System.nanoTime();
        s.run();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private void awaitStatus(String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = dav.status("HEAD", path);
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("HEAD " + path + " still " + last + " after " + timeout);
    }

    private static int waitFor(SkladProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return p.stop();
    }
}
