package io.sklad.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request refused before its body was read (a PUT into a missing folder, a wrong password) must not
 * leave the client's kept-alive connection dead for its next request.
 */
class RefusedBodyTest {

    @TempDir
    Path root;

    private static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theNextRequestOnTheSameClientIsAnswered() throws Exception {
        byte[] body = new byte[300_000];
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (DavFixture dav = new DavFixture(root)) {
            for (int i = 0; i < 20; i++) {
                HttpRequest put = HttpRequest.newBuilder(URI.create(dav.url() + "missing/x.bin"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", basic(DavFixture.USER, DavFixture.PASS))
                        .PUT(BodyPublishers.ofByteArray(body)).build();
                HttpResponse<String> refused = http.send(put, BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(409);

                HttpRequest next = HttpRequest.newBuilder(URI.create(dav.url())).timeout(Duration.ofSeconds(30))
                        .header("Authorization", basic(DavFixture.USER, DavFixture.PASS)).header("Depth", "0")
                        .method("PROPFIND", BodyPublishers.noBody()).build();
                assertThat(http.send(next, BodyHandlers.ofString()).statusCode()).isEqualTo(207);
            }
            HttpRequest wrong = HttpRequest.newBuilder(URI.create(dav.url() + "x.bin")).timeout(Duration.ofSeconds(30))
                    .header("Authorization", basic(DavFixture.USER, "wrong")).PUT(BodyPublishers.ofByteArray(body)).build();
            assertThat(http.send(wrong, BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpRequest get = HttpRequest.newBuilder(URI.create(dav.url())).timeout(Duration.ofSeconds(30))
                    .header("Authorization", basic(DavFixture.USER, DavFixture.PASS)).GET().build();
            assertThat(http.send(get, BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
