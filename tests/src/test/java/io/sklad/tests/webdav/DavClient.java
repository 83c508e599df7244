package io.sklad.tests.webdav;

import io.sklad.tests.harness.RandomFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/** WebDAV requests with the JDK's HttpClient (HTTP/1.1, Basic auth), bodies streamed from and to files. */
final class DavClient {

    private static final HttpClient SHARED = newHttpClient();

    private final HttpClient http;
    private final String base;
    private final String authorization;

    DavClient(String base, String user, String password) {
        this(SHARED, base, user, password);
    }

    private DavClient(HttpClient http, String base, String user, String password) {
        this.http = http;
        this.base = base;
        this.authorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The same server with other credentials (null user: none at all). */
    DavClient as(String user, String password) {
        return new DavClient(http, base, user, password);
    }

    /** The same server and credentials on connections of its own (none kept alive from earlier requests). */
    DavClient freshConnections(String user, String password) {
        return new DavClient(newHttpClient(), base, user, password);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    /** {@code headers} are name, value pairs. */
    HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        return send(method, path, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body), headers);
    }

    HttpResponse<String> send(String method, String path, BodyPublisher body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    /** PUT of a file's content; big files may take minutes on a loaded machine. */
    HttpResponse<String> put(String path, Path file, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).timeout(Duration.ofMinutes(15)).PUT(BodyPublishers.ofFile(file));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    int status(String method, String path) throws IOException, InterruptedException {
        return send(method, path, (String) null).statusCode();
    }

    /** SHA-256 of a GET of {@code path}, streamed; fails unless the answer is 200. */
    String sha256(String path) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(request(path).GET().build(), BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + r.statusCode());
            }
            return RandomFiles.sha256(in);
        }
    }

    /** PROPFIND with Depth 0 for the given properties (each an XML element, e.g. {@code <D:lockdiscovery/>}). */
    HttpResponse<String> propfind(String path, String depth, String props) throws IOException, InterruptedException {
        return send("PROPFIND", path, "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propfind xmlns:D=\"DAV:\">"
                + "<D:prop>" + props + "</D:prop></D:propfind>", "Depth", depth);
    }
}
