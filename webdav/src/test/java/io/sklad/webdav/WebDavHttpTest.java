package io.sklad.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protocol behaviour checked with the JDK HttpClient against a real server over a temp directory. */
class WebDavHttpTest {

    @TempDir
    Path root;

    private DavFixture dav;
    private HttpClient http;

    @BeforeEach
    void start() throws IOException {
        dav = new DavFixture(root);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        dav.close();
    }

    private static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(dav.url() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", basic(DavFixture.USER, DavFixture.PASS));
    }

    private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return http.send(r, BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = req(path).method(method,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    @Test
    void missingOrWrongCredentialsGet401AndRepeatedFailuresSlowDown() throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(dav.url())).GET().build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));

        long[] took = new long[5];
        for (int i = 0; i < took.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(dav.url()))
                    .header("Authorization", basic(DavFixture.USER, "wrong" + i)).GET().build());
            took[i] = (System.nanoTime() - t0) / 1_000_000;
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        // 0, 100, 200, 400, 800 ms: the delay doubles per failure.
        // lower bounds only: the throttle's delays (100, 200, 400, 800 ms) make answers at least this slow,
        // while a loaded machine may make any answer slower still
        assertThat(took[4]).isGreaterThanOrEqualTo(700);
        assertThat(took[2]).isGreaterThanOrEqualTo(150);

        assertThat(send("PROPFIND", "", null, "Depth", "0").statusCode()).isEqualTo(207);
    }

    @Test
    void plainHttpOnNonLoopbackIsRefused() {
        WebDavConfig c = new WebDavConfig("0.0.0.0", 0, "/dav", null, null, false, null);
        try (WebDavServer s = new WebDavServer(c, (u, p) -> java.util.Optional.empty())) {
            assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("plain HTTP");
        }
    }

    @Test
    void rangesIncludingSuffixAndUnsatisfiable() throws Exception {
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        Files.write(root.resolve("r.bin"), data);

        HttpResponse<byte[]> first = http.send(req("r.bin").header("Range", "bytes=10-19").build(), BodyHandlers.ofByteArray());
        assertThat(first.statusCode()).isEqualTo(206);
        assertThat(first.headers().firstValue("Content-Range")).hasValue("bytes 10-19/1000");
        assertThat(first.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 20));

        HttpResponse<byte[]> suffix = http.send(req("r.bin").header("Range", "bytes=-500").build(), BodyHandlers.ofByteArray());
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 500-999/1000");
        assertThat(suffix.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 500, 1000));

        HttpResponse<byte[]> open = http.send(req("r.bin").header("Range", "bytes=990-").build(), BodyHandlers.ofByteArray());
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).hasSize(10);

        HttpResponse<String> bad = send(req("r.bin").header("Range", "bytes=1000-").build());
        assertThat(bad.statusCode()).isEqualTo(416);
        assertThat(bad.headers().firstValue("Content-Range")).hasValue("bytes */1000");

        HttpResponse<byte[]> whole = http.send(req("r.bin").build(), BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(data);
    }

    @Test
    void conditionalGetAnswers304() throws Exception {
        Files.writeString(root.resolve("c.txt"), "hello");
        HttpResponse<String> r = send(req("c.txt").build());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String lastModified = r.headers().firstValue("Last-Modified").orElseThrow();

        assertThat(send(req("c.txt").header("If-None-Match", etag).build()).statusCode()).isEqualTo(304);
        assertThat(send(req("c.txt").header("If-Modified-Since", lastModified).build()).statusCode()).isEqualTo(304);
        assertThat(send(req("c.txt").header("If-None-Match", "\"other\"").build()).statusCode()).isEqualTo(200);
        assertThat(send(req("c.txt").header("If-Match", "\"other\"").build()).statusCode()).isEqualTo(412);
    }

    @Test
    void chunkedPutOf64MiBIsStreamedNotBuffered() throws Exception {
        long size = 64L << 20;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long baseline = usedHeapAfterGc();
        AtomicLong midway = new AtomicLong(-1);
        InputStream body = new InputStream() {
            private final Random random = new Random(42);
            private long produced;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (produced >= size) {
                    return -1;
                }
                if (midway.get() < 0 && produced >= size * 3 / 4) {
                    // Three quarters through: a server buffering the body would now hold ~48 MiB.
                    midway.set(usedHeapAfterGc());
                }
                int n = (int) Math.min(len, Math.min(size - produced, 32 * 1024));
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                sent.update(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                produced += n;
                return n;
            }
        };
        // ofInputStream has no length, so the client sends Transfer-Encoding: chunked.
        HttpResponse<String> put = send(req("big.bin").PUT(BodyPublishers.ofInputStream(() -> body)).build());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(Files.size(root.resolve("big.bin"))).isEqualTo(size);
        assertThat(sha256(root.resolve("big.bin"))).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        assertThat(midway.get()).isPositive();
        assertThat(midway.get() - baseline).as("heap growth during the PUT").isLessThan(24L << 20);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static final String LOCKINFO = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
            + "<D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:me@example.com</D:href></D:owner></D:lockinfo>";

    @Test
    void putToLockedFileNeedsTheToken() throws Exception {
        Files.writeString(root.resolve("l.txt"), "v1");
        HttpResponse<String> lock = send("LOCK", "l.txt", LOCKINFO, "Timeout", "Second-600", "Depth", "0");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("Lock-Token").orElseThrow();
        assertThat(lock.body()).contains("mailto:me@example.com").contains("<D:exclusive/>");

        assertThat(send("PUT", "l.txt", "v2").statusCode()).isEqualTo(423);
        assertThat(Files.readString(root.resolve("l.txt"))).isEqualTo("v1");
        assertThat(send("DELETE", "l.txt", null).statusCode()).isEqualTo(423);
        assertThat(send("MOVE", "l.txt", null, "Destination", dav.url() + "m.txt").statusCode()).isEqualTo(423);

        assertThat(send("PUT", "l.txt", "v3", "If", "(" + token + ")").statusCode()).isEqualTo(204);
        assertThat(Files.readString(root.resolve("l.txt"))).isEqualTo("v3");

        HttpResponse<String> pf = send("PROPFIND", "l.txt",
                "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>",
                "Depth", "0");
        assertThat(pf.body()).contains(token.substring(1, token.length() - 1)).contains("<D:lockentry>");

        assertThat(send("UNLOCK", "l.txt", null, "Lock-Token", token).statusCode()).isEqualTo(204);
        assertThat(send("PUT", "l.txt", "v4").statusCode()).isEqualTo(204);
    }

    @Test
    void lockOnUnmappedUrlCreatesEmptyFile() throws Exception {
        HttpResponse<String> lock = send("LOCK", "new.txt", LOCKINFO, "Depth", "0");
        assertThat(lock.statusCode()).isEqualTo(201);
        assertThat(root.resolve("new.txt")).isRegularFile().isEmptyFile();
    }

    @Test
    void malformedXmlGets400AndChangesNothing() throws Exception {
        Files.writeString(root.resolve("x.txt"), "x");
        String broken = "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><Z:a xmlns:Z=\"urn:z\">1</Z:a></D:prop>";

        assertThat(send("PROPFIND", "x.txt", "<D:propfind xmlns:D=\"DAV:\"><D:prop>", "Depth", "0").statusCode())
                .isEqualTo(400);
        assertThat(send("PROPPATCH", "x.txt", broken).statusCode()).isEqualTo(400);
        assertThat(send("LOCK", "x.txt", "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope>", "Depth", "0").statusCode())
                .isEqualTo(400);
        assertThat(send("LOCK", "y.txt", "<notxml", "Depth", "0").statusCode()).isEqualTo(400);

        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(root.resolve("x.txt"),
                UserDefinedFileAttributeView.class);
        assertThat(xattrs.list()).noneMatch(n -> n.startsWith("dav."));
        assertThat(root.resolve("y.txt")).doesNotExist();
        // No lock was taken: an unconditional write still succeeds.
        assertThat(send("PUT", "x.txt", "changed").statusCode()).isEqualTo(204);
    }

    @Test
    void deadPropertiesAreExtendedAttributesAndWin32PropertiesRoundTrip() throws Exception {
        Files.writeString(root.resolve("p.txt"), "p");
        String patch = "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:schemas-microsoft-com:\">"
                + "<D:set><D:prop><Z:Win32FileAttributes>00000022</Z:Win32FileAttributes>"
                + "<Z:Win32LastModifiedTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32LastModifiedTime>"
                + "<C:color xmlns:C=\"urn:colors\">blue</C:color></D:prop></D:set></D:propertyupdate>";
        HttpResponse<String> pp = send("PROPPATCH", "p.txt", patch);
        assertThat(pp.statusCode()).isEqualTo(207);
        assertThat(pp.body()).contains("200 OK").doesNotContain("403").doesNotContain("424");

        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(root.resolve("p.txt"),
                UserDefinedFileAttributeView.class);
        assertThat(xattrs.list()).filteredOn(n -> n.startsWith("dav.")).hasSize(2);
        assertThat(Files.getLastModifiedTime(root.resolve("p.txt")).toInstant())
                .isEqualTo(java.time.Instant.parse("2020-01-01T10:00:00Z"));

        HttpResponse<String> pf = send("PROPFIND", "p.txt", "<D:propfind xmlns:D=\"DAV:\" xmlns:Z=\"urn:schemas-microsoft-com:\">"
                + "<D:prop><Z:Win32FileAttributes/><Z:Win32LastModifiedTime/><C:color xmlns:C=\"urn:colors\"/>"
                + "<D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>", "Depth", "0");
        assertThat(pf.statusCode()).isEqualTo(207);
        assertThat(pf.body()).contains("00000022").contains("Wed, 01 Jan 2020 10:00:00 GMT").contains(">blue<")
                .contains("quota-available-bytes>").doesNotContain("404 Not Found");

        HttpResponse<String> protectedProp = send("PROPPATCH", "p.txt", "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>"
                + "<D:getetag>x</D:getetag><C:size xmlns:C=\"urn:colors\">9</C:size></D:prop></D:set></D:propertyupdate>");
        assertThat(protectedProp.body()).contains("403 Forbidden").contains("424 Failed Dependency");
        assertThat(xattrs.list()).filteredOn(n -> n.startsWith("dav.")).hasSize(2);
    }

    @Test
    void propfindDepthInfinityIsForbidden() throws Exception {
        HttpResponse<String> r = send("PROPFIND", "", null, "Depth", "infinity");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("propfind-finite-depth");
    }

    @Test
    void propfindOnAFolderOfThousandsOfFilesIsFast() throws Exception {
        Path big = Files.createDirectory(root.resolve("many"));
        for (int i = 0; i < 5000; i++) {
            Files.writeString(big.resolve("file-" + i + ".txt"), "x");
        }
        long t0 = System.nanoTime();
        HttpResponse<String> r = send("PROPFIND", "many/", null, "Depth", "1");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(207);
        Matcher m = Pattern.compile("<D:response>").matcher(r.body());
        int responses = 0;
        while (m.find()) {
            responses++;
        }
        assertThat(responses).isEqualTo(5001);
        assertThat(ms).as("PROPFIND of 5000 entries in ms").isLessThan(20_000);
    }

    @Test
    void mkcolCases() throws Exception {
        assertThat(send("MKCOL", "d1", null).statusCode()).isEqualTo(201);
        assertThat(root.resolve("d1")).isDirectory();
        assertThat(send("MKCOL", "d1", null).statusCode()).isEqualTo(405);
        assertThat(send("MKCOL", "d2", "<x/>").statusCode()).isEqualTo(415);
        assertThat(root.resolve("d2")).doesNotExist();
        assertThat(send("MKCOL", "nope/d3", null).statusCode()).isEqualTo(409);
        Files.writeString(root.resolve("f"), "f");
        assertThat(send("MKCOL", "f", null).statusCode()).isEqualTo(405);
    }

    @Test
    void copyAndMoveRespectOverwrite() throws Exception {
        Files.writeString(root.resolve("a.txt"), "a");
        Files.writeString(root.resolve("b.txt"), "b");
        assertThat(send("COPY", "a.txt", null, "Destination", dav.url() + "b.txt", "Overwrite", "F").statusCode())
                .isEqualTo(412);
        assertThat(send("MOVE", "a.txt", null, "Destination", dav.url() + "b.txt", "Overwrite", "F").statusCode())
                .isEqualTo(412);
        assertThat(Files.readString(root.resolve("b.txt"))).isEqualTo("b");
        assertThat(root.resolve("a.txt")).exists();

        assertThat(send("COPY", "a.txt", null, "Destination", dav.url() + "c.txt").statusCode()).isEqualTo(201);
        assertThat(send("MOVE", "a.txt", null, "Destination", dav.url() + "b.txt", "Overwrite", "T").statusCode())
                .isEqualTo(204);
        assertThat(Files.readString(root.resolve("b.txt"))).isEqualTo("a");
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(send("MOVE", "b.txt", null, "Destination", dav.url() + "missing/b.txt").statusCode()).isEqualTo(409);
    }

    @Test
    void explorerAndFinderProbes() throws Exception {
        HttpResponse<String> options = send("OPTIONS", "", null);
        assertThat(options.headers().firstValue("MS-Author-Via")).hasValue("DAV");
        assertThat(options.headers().firstValue("DAV")).hasValueSatisfying(v -> assertThat(v).contains("2"));
        assertThat(send("PROPFIND", "Desktop.ini", null, "Depth", "0").statusCode()).isEqualTo(404);
        assertThat(send(req("._foo").GET().build()).statusCode()).isEqualTo(404);
        assertThat(send("PUT", ".DS_Store", "finder").statusCode()).isEqualTo(201);
        assertThat(send(req(".DS_Store").GET().build()).body()).isEqualTo("finder");
        assertThat(send("PROPFIND", "..%2Fetc", null, "Depth", "0").statusCode()).isEqualTo(400);
    }

    @Test
    void httpsWithGeneratedSelfSignedCertificate(@TempDir Path keys) throws Exception {
        Path ks = keys.resolve("webdav.p12");
        WebDavConfig c = WebDavConfig.loopback(0).withTls(ks, "changeit");
        try (DavFixture tls = new DavFixture(root, c)) {
            assertThat(ks).exists();
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                trust.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + tls.server.port() + "/dav/"))
                    .header("Authorization", basic(DavFixture.USER, DavFixture.PASS))
                    .method("PROPFIND", BodyPublishers.noBody()).header("Depth", "0").build(),
                    BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(207);
        }
    }
}
