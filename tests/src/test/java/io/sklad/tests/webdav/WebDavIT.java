package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.RandomFiles;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
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

    /**
     * The litmus tests that need dead properties. The Sklad file system offers no
     * {@code UserDefinedFileAttributeView} (and the master keeps no dead properties), so the WebDAV server
     * refuses PROPPATCH of a dead property with 403; {@code propget} then misses the value it set.
     */
    static final Set<String> DEAD_PROPERTY_TESTS = Set.of("propset", "propmanyns", "propget", "owner_modify");

    @TempDir
    static Path dir;

    DavUp up;
    DavClient dav;

    @BeforeAll
    void start() throws Exception {
        up = DavUp.start(dir);
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

    @ParameterizedTest
    @ValueSource(strings = {"basic", "copymove", "http"})
    void litmusSuitePassesCompletely(String suite) throws Exception {
        Litmus.Run run = litmus(suite);
        assertThat(run.failed()).as(run.output()).isZero();
        assertThat(run.passed()).as(run.output()).isEqualTo(run.run()).isPositive();
        assertThat(run.warnings()).as(run.output()).isZero();
    }

    /** Everything but the dead-property tests passes; those are refused cleanly (403), never a 500. */
    @ParameterizedTest
    @ValueSource(strings = {"props", "locks"})
    void litmusSuitePassesExceptDeadProperties(String suite) throws Exception {
        Litmus.Run run = litmus(suite);
        assertThat(run.failures()).as(run.output()).allSatisfy(f -> {
            assertThat(DEAD_PROPERTY_TESTS).contains(f.name());
            if (!f.name().equals("propget")) {
                assertThat(f.detail()).contains("PROPPATCH").contains("403 Forbidden");
            }
        });
        assertThat(run.passed()).as(run.output()).isGreaterThanOrEqualTo(suite.equals("locks") ? 38 : 11);
        assertThat(run.output()).doesNotContain("500 ");
    }

    @Disabled("BUG: SkladFileSystem has no UserDefinedFileAttributeView and the master no dead-property store, "
            + "so PROPPATCH of dead properties is refused (403): litmus props propset/propmanyns/propget, locks owner_modify")
    @ParameterizedTest
    @ValueSource(strings = {"props", "locks"})
    void litmusDeadPropertySuitesPassCompletely(String suite) throws Exception {
        Litmus.Run run = litmus(suite);
        assertThat(run.failed()).as(run.output()).isZero();
        assertThat(run.passed()).as(run.output()).isEqualTo(run.run());
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
}
