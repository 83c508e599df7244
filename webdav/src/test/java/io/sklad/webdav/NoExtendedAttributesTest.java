package io.sklad.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree whose file store has no user extended attributes (a zip file system here; the Sklad file system
 * is another): dead properties are refused, but the Win32 properties Explorer sets after every copy work.
 */
class NoExtendedAttributesTest {

    private static final String WIN32 = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propertyupdate xmlns:D=\"DAV:\""
            + " xmlns:Z=\"urn:schemas-microsoft-com:\"><D:set><D:prop>"
            + "<Z:Win32CreationTime>Wed, 01 Jan 2020 09:00:00 GMT</Z:Win32CreationTime>"
            + "<Z:Win32LastAccessTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32LastAccessTime>"
            + "<Z:Win32LastModifiedTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32LastModifiedTime>"
            + "<Z:Win32FileAttributes>%s</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>";

    @TempDir
    Path tmp;

    private FileSystem zip;
    private Path root;
    private DavFixture dav;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        zip = FileSystems.newFileSystem(tmp.resolve("tree.zip"), Map.of("create", "true"));
        root = zip.getPath("/");
        dav = new DavFixture(root);
    }

    @AfterEach
    void stop() throws Exception {
        dav.close();
        zip.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(dav.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (DavFixture.USER + ":" + DavFixture.PASS).getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        return http.send(r, BodyHandlers.ofString());
    }

    @Test
    void explorersPropPatchAfterACopySucceedsAndSetsTheTimes() throws Exception {
        Files.writeString(root.resolve("doc.txt"), "d");
        for (String attrs : new String[] {"00000020", "00000080", "00000000", "00002020"}) {
            HttpResponse<String> r = send("PROPPATCH", "doc.txt", WIN32.formatted(attrs));
            assertThat(r.statusCode()).isEqualTo(207);
            assertThat(r.body()).as(attrs).contains("200 OK").doesNotContain("403").doesNotContain("424");
        }
        assertThat(Files.getLastModifiedTime(root.resolve("doc.txt")).toInstant())
                .isEqualTo(Instant.parse("2020-01-01T10:00:00Z"));
        Files.createDirectory(root.resolve("folder"));
        assertThat(send("PROPPATCH", "folder/", WIN32.formatted("00000010")).body()).contains("200 OK")
                .doesNotContain("424");
    }

    @Test
    void win32AttributesThatCannotBeKeptAreAConflictAndChangeNothing() throws Exception {
        Files.writeString(root.resolve("doc.txt"), "d");
        var before = Files.getLastModifiedTime(root.resolve("doc.txt"));
        // read-only + archive, hidden + system, and a directory bit on a file
        for (String attrs : new String[] {"00000021", "00000006", "00000010", "zz"}) {
            HttpResponse<String> r = send("PROPPATCH", "doc.txt", WIN32.formatted(attrs));
            assertThat(r.statusCode()).isEqualTo(207);
            assertThat(r.body()).as(attrs).contains("409 Conflict").contains("424 Failed Dependency")
                    .doesNotContain("200 OK");
        }
        assertThat(Files.getLastModifiedTime(root.resolve("doc.txt"))).isEqualTo(before);
    }

    @Test
    void deadPropertiesAreRefusedWith403() throws Exception {
        Files.writeString(root.resolve("doc.txt"), "d");
        HttpResponse<String> r = send("PROPPATCH", "doc.txt", "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>"
                + "<C:color xmlns:C=\"urn:colors\">blue</C:color></D:prop></D:set></D:propertyupdate>");
        assertThat(r.statusCode()).isEqualTo(207);
        assertThat(r.body()).contains("403 Forbidden");
    }
}
