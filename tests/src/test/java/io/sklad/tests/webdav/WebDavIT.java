package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.RandomFiles;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebDAV drive of a real {@code sklad up}, on the real volume {@code main}: the litmus compliance suites,
 * what the other clients see of what WebDAV wrote (and the other way round), and what Explorer sends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebDavIT {

    @TempDir
    static Path dir;

    DavUp up;
    DavClient dav;

    @BeforeAll
    void start() throws Exception {
        up = DavUp.start(dir, true);
        dav = up.client();
    }

    @AfterAll
    void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    private Litmus.Run litmus(String suite) throws Exception {
        Tools.requireExecutable(Litmus.BINARY, "litmus");
        Path work = Files.createDirectories(dir.resolve("litmus-" + suite));
        return Litmus.run(suite, up.url("/main/"), DavUp.USER, DavUp.PASSWORD, work);
    }

    /** litmus basic, copymove, props (dead properties on the master), locks (on the master's leases), http. */
    @ParameterizedTest
    @ValueSource(strings = {"basic", "copymove", "props", "locks", "http"})
    void litmusSuitePassesCompletely(String suite) throws Exception {
        Litmus.Run run = litmus(suite);
        assertThat(run.failed()).as(run.output()).isZero();
        assertThat(run.passed()).as(run.output()).isEqualTo(run.run()).isPositive();
        assertThat(run.warnings()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("500 ");
    }

    @Test
    void rootListsTheVolumesAndOptionsAdvertiseClass2ForExplorer() throws Exception {
        HttpResponse<String> root = dav.send("PROPFIND", "/", (String) null, "Depth", "1");
        assertThat(root.statusCode()).isEqualTo(207);
        assertThat(root.body()).contains("<D:href>/main/</D:href>");
        HttpResponse<String> options = dav.send("OPTIONS", "/main/", (String) null);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("DAV")).hasValueSatisfying(v -> assertThat(v).contains("2"));
        assertThat(options.headers().firstValue("MS-Author-Via")).hasValue("DAV");
        assertThat(options.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("LOCK"));
    }

    @Test
    void whatWebDavWritesSkladGetReadsAndTheOtherWayRound() throws Exception {
        up.ok("mkdir", "/main/cross");
        Path a = RandomFiles.create(dir.resolve("cross-a"), 3_000_001, 11);
        assertThat(dav.put("/main/cross/a.bin", a).statusCode()).isEqualTo(201);
        Path back = dir.resolve("cross-a-back");
        up.ok("get", "/main/cross/a.bin", back.toString());
        assertThat(RandomFiles.sha256(back)).isEqualTo(RandomFiles.sha256(a));

        Path b = RandomFiles.create(dir.resolve("cross-b"), 1_000_000, 12);
        up.ok("put", b.toString(), "/main/cross/b.bin");
        assertThat(dav.sha256("/main/cross/b.bin")).isEqualTo(RandomFiles.sha256(b));
        // a range across a block boundary (64 KiB) and a suffix range
        HttpResponse<String> range = dav.send("GET", "/main/cross/b.bin", (String) null, "Range", "bytes=65530-65545");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 65530-65545/1000000");
        assertThat(range.headers().firstValueAsLong("Content-Length")).hasValue(16);
        HttpResponse<String> suffix = dav.send("GET", "/main/cross/b.bin", (String) null, "Range", "bytes=-10");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 999990-999999/1000000");
        assertThat(dav.send("GET", "/main/cross/b.bin", (String) null, "Range", "bytes=1000000-").statusCode())
                .isEqualTo(416);

        // a second PUT is a new version of the same file, as Sklad keeps them
        assertThat(dav.put("/main/cross/b.bin", a).statusCode()).isEqualTo(204);
        String versions = up.ok("versions", "/main/cross/b.bin").stdout();
        assertThat(versions.lines().filter(l -> l.matches("\\s*\\d+\\s.*"))).as(versions).hasSize(2);

        // MOVE and COPY are seen by sklad ls; DELETE by sklad stat
        assertThat(dav.send("MOVE", "/main/cross/a.bin", (String) null, "Destination", up.url("/main/cross/moved.bin"))
                .statusCode()).isEqualTo(201);
        assertThat(dav.send("COPY", "/main/cross/moved.bin", (String) null, "Destination", up.url("/main/cross/copy.bin"))
                .statusCode()).isEqualTo(201);
        assertThat(dav.status("DELETE", "/main/cross/b.bin")).isEqualTo(204);
        String ls = up.ok("ls", "/main/cross").stdout();
        assertThat(ls).contains("moved.bin").contains("copy.bin").doesNotContain("a.bin").doesNotContain("b.bin");
        Path copy = dir.resolve("cross-copy");
        up.ok("get", "/main/cross/copy.bin", copy.toString());
        assertThat(RandomFiles.sha256(copy)).isEqualTo(RandomFiles.sha256(a));
    }

    /** What the Windows mini-redirector sends after copying a file in; it must not fail on a Sklad volume. */
    @Test
    void explorersWin32PropertiesAfterACopySucceed() throws Exception {
        Path f = RandomFiles.create(dir.resolve("win"), 1000, 13);
        assertThat(dav.put("/main/report.docx", f).statusCode()).isEqualTo(201);
        String patch = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propertyupdate xmlns:D=\"DAV:\""
                + " xmlns:Z=\"urn:schemas-microsoft-com:\"><D:set><D:prop>"
                + "<Z:Win32CreationTime>Mon, 06 Jan 2025 08:00:00 GMT</Z:Win32CreationTime>"
                + "<Z:Win32LastAccessTime>Mon, 06 Jan 2025 09:30:00 GMT</Z:Win32LastAccessTime>"
                + "<Z:Win32LastModifiedTime>Mon, 06 Jan 2025 09:30:00 GMT</Z:Win32LastModifiedTime>"
                + "<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>"
                + "</D:prop></D:set></D:propertyupdate>";
        HttpResponse<String> r = dav.send("PROPPATCH", "/main/report.docx", patch);
        assertThat(r.statusCode()).isEqualTo(207);
        assertThat(r.body()).contains("200 OK").doesNotContain("403").doesNotContain("424");
        HttpResponse<String> pf = dav.propfind("/main/report.docx", "0", "<D:getlastmodified/>"
                + "<Z:Win32FileAttributes xmlns:Z=\"urn:schemas-microsoft-com:\"/>");
        assertThat(pf.body()).contains("Mon, 06 Jan 2025 09:30:00 GMT").contains("00000020");
        // Explorer's probes for folder customisation and Finder's for resource forks: plain 404s
        assertThat(dav.send("PROPFIND", "/main/Desktop.ini", (String) null, "Depth", "0").statusCode()).isEqualTo(404);
        assertThat(dav.status("GET", "/main/._report.docx")).isEqualTo(404);
    }

    private static final String COLOR_BLUE = "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:X=\"urn:sklad-test\"><D:set><D:prop>"
            + "<X:color>blue</X:color><X:note xml:lang=\"en\">with <X:b>markup</X:b> \uD83D\uDE00</X:note>"
            + "</D:prop></D:set></D:propertyupdate>";
    private static final String ASK_COLOR = "<X:color xmlns:X=\"urn:sklad-test\"/><X:note xmlns:X=\"urn:sklad-test\"/>";

    /** Dead properties live on the master: kept by MOVE, copied by COPY, gone with the file, bounded. */
    @Test
    void deadPropertiesLiveOnTheMasterAndFollowTheFile() throws Exception {
        up.ok("mkdir", "/main/props");
        Path f = RandomFiles.create(dir.resolve("props-a"), 5000, 21);
        assertThat(dav.put("/main/props/a.txt", f).statusCode()).isEqualTo(201);
        HttpResponse<String> set = dav.send("PROPPATCH", "/main/props/a.txt", COLOR_BLUE);
        assertThat(set.statusCode()).isEqualTo(207);
        assertThat(set.body()).contains("200 OK").doesNotContain("403").doesNotContain("424");
        assertThat(dav.propfind("/main/props/a.txt", "0", ASK_COLOR).body()).contains(">blue<").contains("markup")
                .contains("\uD83D\uDE00").doesNotContain("404 Not Found");

        // a new version of the content keeps them; so does a MOVE; a COPY copies them
        assertThat(dav.put("/main/props/a.txt", f).statusCode()).isEqualTo(204);
        assertThat(dav.send("MOVE", "/main/props/a.txt", (String) null, "Destination", up.url("/main/props/b.txt"))
                .statusCode()).isEqualTo(201);
        assertThat(dav.propfind("/main/props/b.txt", "0", ASK_COLOR).body()).contains(">blue<");
        assertThat(dav.send("COPY", "/main/props/b.txt", (String) null, "Destination", up.url("/main/props/c.txt"))
                .statusCode()).isEqualTo(201);
        assertThat(dav.propfind("/main/props/c.txt", "0", ASK_COLOR).body()).contains(">blue<");
        // between volumes a move is a copy and a delete: they go along
        up.ok("volume", "create", "other", "--replicas", "1");
        assertThat(dav.send("MOVE", "/main/props/c.txt", (String) null, "Destination", up.url("/other/c.txt"))
                .statusCode()).isEqualTo(201);
        assertThat(dav.propfind("/other/c.txt", "0", ASK_COLOR).body()).contains(">blue<");

        // over the master's limit (64 KiB a value): 507 for it, 424 for the rest, nothing changed
        String big = "x".repeat(70_000);
        HttpResponse<String> tooBig = dav.send("PROPPATCH", "/main/props/b.txt", "<D:propertyupdate xmlns:D=\"DAV:\""
                + " xmlns:X=\"urn:sklad-test\"><D:set><D:prop><X:color>red</X:color><X:huge>" + big + "</X:huge>"
                + "</D:prop></D:set></D:propertyupdate>");
        assertThat(tooBig.statusCode()).isEqualTo(207);
        assertThat(tooBig.body()).contains("507 Insufficient Storage").contains("424 Failed Dependency");
        assertThat(dav.propfind("/main/props/b.txt", "0", ASK_COLOR).body()).contains(">blue<").doesNotContain(">red<");

        // removed one by one, and all of them with the file: a new file at the name has none
        HttpResponse<String> remove = dav.send("PROPPATCH", "/main/props/b.txt", "<D:propertyupdate xmlns:D=\"DAV:\""
                + " xmlns:X=\"urn:sklad-test\"><D:remove><D:prop><X:note/></D:prop></D:remove></D:propertyupdate>");
        assertThat(remove.body()).contains("200 OK");
        assertThat(dav.propfind("/main/props/b.txt", "0", ASK_COLOR).body()).contains(">blue<").contains("404 Not Found");
        assertThat(dav.status("DELETE", "/main/props/b.txt")).isEqualTo(204);
        assertThat(dav.put("/main/props/b.txt", f).statusCode()).isEqualTo(201);
        assertThat(dav.propfind("/main/props/b.txt", "0", ASK_COLOR).body()).doesNotContain(">blue<");
    }

    private static final Pattern ETAG = Pattern.compile("(?im)^etag:\\s*(\"\\d+\")\\s*$");
    private static final Pattern STATUS = Pattern.compile("(?m)^HTTP/[\\d.]+ (\\d{3})");

    /** One curl request: the last status line and the ETag header of the answer. */
    private record Curl(int status, String etag, String body) {
    }

    private Curl curl(String method, String path, Path upload, String... headers) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "-u", DavUp.USER + ":" + DavUp.PASSWORD));
        if (method.equals("HEAD")) {
            cmd.add("-I");
        } else {
            cmd.addAll(List.of("-X", method));
        }
        for (String h : headers) {
            cmd.addAll(List.of("-H", h));
        }
        if (upload != null) {
            cmd.addAll(List.of("--data-binary", "@" + upload));
        }
        cmd.add(up.url(path));
        CommandResult r = Commands.run(dir, Map.of(), 60, cmd);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Matcher s = STATUS.matcher(r.stdout());
        int status = -1;
        while (s.find()) {
            status = Integer.parseInt(s.group(1));
        }
        Matcher e = ETAG.matcher(r.stdout());
        String etag = e.find() ? e.group(1) : null;
        int bodyAt = r.stdout().indexOf("\r\n\r\n");
        return new Curl(status, etag, bodyAt < 0 ? "" : r.stdout().substring(bodyAt + 4));
    }

    /** ETag = the version id (strong); If-Match, If-None-Match and If-Range work against it (real curl). */
    @Test
    void etagIsTheVersionAndConditionalRequestsUseIt() throws Exception {
        Tools.requireExecutable("/usr/bin/curl", "curl");
        Path v1 = dir.resolve("etag-v1.txt");
        Files.writeString(v1, "0123456789 first version\n");
        Path v2 = dir.resolve("etag-v2.txt");
        Files.writeString(v2, "abcdefghij second version\n");
        assertThat(curl("PUT", "/main/etag.txt", v1).status()).isEqualTo(201);
        Curl head = curl("HEAD", "/main/etag.txt", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.etag()).as("a strong tag of digits").isNotNull().doesNotStartWith("W/");
        String e1 = head.etag();
        String versions = up.ok("versions", "/main/etag.txt").stdout();
        assertThat(versions).as("the tag is the version id sklad versions shows").contains(e1.replace("\"", ""));
        // same tag in PROPFIND
        assertThat(dav.propfind("/main/etag.txt", "0", "<D:getetag/>").body()).satisfiesAnyOf(b -> assertThat(b).contains(e1.replace("\"", "&quot;")), b -> assertThat(b).contains(e1));

        assertThat(curl("GET", "/main/etag.txt", null, "If-None-Match: " + e1).status()).isEqualTo(304);
        assertThat(curl("GET", "/main/etag.txt", null, "If-None-Match: \"1\"").status()).isEqualTo(200);
        assertThat(curl("PUT", "/main/etag.txt", v2, "If-Match: \"1\"").status()).isEqualTo(412);
        assertThat(curl("PUT", "/main/etag.txt", v2, "If-None-Match: *").status()).isEqualTo(412);
        assertThat(curl("GET", "/main/etag.txt", null).body()).isEqualTo("0123456789 first version\n");

        Curl put = curl("PUT", "/main/etag.txt", v2, "If-Match: " + e1);
        assertThat(put.status()).isEqualTo(204);
        String e2 = curl("HEAD", "/main/etag.txt", null).etag();
        assertThat(e2).isNotEqualTo(e1);
        assertThat(put.etag()).isEqualTo(e2);
        assertThat(curl("PUT", "/main/etag.txt", v1, "If-Match: " + e1).status()).as("a stale tag").isEqualTo(412);

        // If-Range: the range only while the tag is current, else the whole new entity
        Curl stale = curl("GET", "/main/etag.txt", null, "Range: bytes=0-3", "If-Range: " + e1);
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo("abcdefghij second version\n");
        Curl current = curl("GET", "/main/etag.txt", null, "Range: bytes=0-3", "If-Range: " + e2);
        assertThat(current.status()).isEqualTo(206);
        assertThat(current.body()).isEqualTo("abcd");
    }

    /** A WebDAV lock keeps this agent's own SFTP writers (same user, same agent) out, and UNLOCK lets them in. */
    @Test
    void aWebDavLockKeepsSftpWritersOut() throws Exception {
        Tools.requireExecutable("/usr/bin/sshpass", "sshpass");
        Tools.requireExecutable("/usr/bin/sftp", "openssh-client");
        Path before = dir.resolve("sftp-before.txt");
        Files.writeString(before, "before\n");
        assertThat(dav.put("/main/sftp-locked.txt", before).statusCode()).isEqualTo(201);
        HttpResponse<String> lock = dav.send("LOCK", "/main/sftp-locked.txt", "<D:lockinfo xmlns:D=\"DAV:\">"
                + "<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>",
                "Depth", "0", "Timeout", "Second-300");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow();
        Path intruder = dir.resolve("sftp-intruder.txt");
        Files.writeString(intruder, "intruder\n");
        try {
            CommandResult put = sftpPut(intruder, "/main/sftp-locked.txt");
            assertThat(put.exitCode()).as(put.toString()).isNotZero();
            assertThat(dav.send("GET", "/main/sftp-locked.txt", (String) null).body()).isEqualTo("before\n");
        } finally {
            assertThat(dav.send("UNLOCK", "/main/sftp-locked.txt", (String) null, "Lock-Token", token).statusCode())
                    .isEqualTo(204);
        }
        CommandResult put = sftpPut(intruder, "/main/sftp-locked.txt");
        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(dav.send("GET", "/main/sftp-locked.txt", (String) null).body()).isEqualTo("intruder\n");
    }

    private CommandResult sftpPut(Path local, String remote) throws Exception {
        Path batch = dir.resolve("sftp-batch");
        Files.writeString(batch, "put " + local + " " + remote + "\n", StandardCharsets.UTF_8);
        return Commands.run(dir, Map.of("SSHPASS", DavUp.PASSWORD), 60, List.of("sshpass", "-e", "sftp",
                "-P", Integer.toString(up.sftpPort()), "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=no", "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password", "-b", batch.toString(), DavUp.USER + "@127.0.0.1"));
    }
}
