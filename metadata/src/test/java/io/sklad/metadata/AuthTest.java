package io.sklad.metadata;

import io.sklad.metadata.auth.ChunkTokens;
import io.sklad.metadata.auth.PasswordHasher;
import io.sklad.metadata.store.Role;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.proto.v1.ListVolumesRequest;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.LoginResponse;
import io.sklad.proto.v1.LogoutRequest;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.StatEntryRequest;
import io.sklad.proto.v1.Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {
    @TempDir
    static Path dir;
    MasterFixture m;

    @BeforeAll
    void start() {
        m = new MasterFixture(MasterConfig.defaults(dir).withListenPort(0).withTokenTtl(Duration.ofHours(1)));
        m.registerNode("n1");
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("shared").setReplicas(1).build());
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("secret").setReplicas(1).build());
        PasswordHasher hasher = new PasswordHasher(new SecureRandom());
        m.server.store().createUser(hasher.hash("alice", "alice-pw", false));
        m.server.store().createUser(hasher.hash("bob", "bob-pw", false));
        m.server.store().grant("alice", "shared", Role.READ_WRITE);
        m.server.store().grant("bob", "shared", Role.READ_ONLY);
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    private LoginResponse login(String user, String pw) {
        return m.auth().login(LoginRequest.newBuilder().setUser(user).setPassword(pw).build());
    }

    private void statRoot(NamespaceServiceGrpc.NamespaceServiceBlockingStub ns) {
        ns.stat(StatEntryRequest.newBuilder().setVolume("shared").setPath("/").build());
    }

    @Test
    void namespaceNeedsAValidToken() {
        var noToken = NamespaceServiceGrpc.newBlockingStub(m.channel);
        expectError(ErrorCode.UNAUTHENTICATED, () -> statRoot(noToken));
        expectError(ErrorCode.UNAUTHENTICATED, () -> statRoot(m.ns("not-a-token")));
        statRoot(m.ns());
    }

    @Test
    void wrongPasswordUnknownAndDisabledUsersLookTheSame() {
        ErrorDetail wrong = expectError(ErrorCode.UNAUTHENTICATED, () -> login("alice", "nope"));
        ErrorDetail unknown = expectError(ErrorCode.UNAUTHENTICATED, () -> login("mallory", "x"));
        m.server.store().createUser(new PasswordHasher(new SecureRandom()).hash("carol", "carol-pw", false));
        LoginResponse carol = login("carol", "carol-pw");
        m.server.store().setUserDisabled("carol", true);
        ErrorDetail disabled = expectError(ErrorCode.UNAUTHENTICATED, () -> login("carol", "carol-pw"));
        assertThat(wrong.getMessage()).isEqualTo(unknown.getMessage()).isEqualTo(disabled.getMessage());
        // a disabled user's existing token stops working too
        expectError(ErrorCode.UNAUTHENTICATED, () -> m.ns(carol.getToken())
                .listVolumes(ListVolumesRequest.getDefaultInstance()));
    }

    @Test
    void repeatedWrongPasswordsAreAnsweredLaterButARightOneIsNot() {
        long slowest = 0;
        for (int i = 0; i < io.sklad.metadata.rpc.AuthGrpcService.FREE_FAILURES + 3; i++) {
            long start = System.nanoTime();
            expectError(ErrorCode.UNAUTHENTICATED, () -> login("bob", "guess"));
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
        }
        // the free failures, then 200 ms doubling: the third one after them waits at least 800 ms
        assertThat(slowest).isGreaterThanOrEqualTo(700);
        long start = System.nanoTime();
        assertThat(login("bob", "bob-pw").getToken()).isNotEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).as("a right password does not queue").isLessThan(700);
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        LoginResponse r = m.auth().login(LoginRequest.newBuilder().setUser("alice").setPassword("alice-pw")
                .setTtlSeconds(1).build());
        statRoot(m.ns(r.getToken()));
        Thread.sleep(1100);
        expectError(ErrorCode.UNAUTHENTICATED, () -> statRoot(m.ns(r.getToken())));
    }

    @Test
    void logoutRevokes() {
        LoginResponse r = login("alice", "alice-pw");
        statRoot(m.ns(r.getToken()));
        io.grpc.Metadata h = new io.grpc.Metadata();
        h.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + r.getToken());
        m.auth().withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(h))
                .logout(LogoutRequest.getDefaultInstance());
        expectError(ErrorCode.UNAUTHENTICATED, () -> statRoot(m.ns(r.getToken())));
    }

    @Test
    void chunkTokenIsTheDocumentedHmac() throws Exception {
        LoginResponse r = login("alice", "alice-pw");
        assertThat(r.getAdmin()).isFalse();
        String payload = r.getExpiresAtMillis() + ".alice";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(m.server.joinToken().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = payload + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.getChunkToken()).isEqualTo(expected);
        assertThat(new ChunkTokens(m.server.joinToken()).verify(r.getChunkToken(), System.currentTimeMillis())).isTrue();
        assertThat(new ChunkTokens("other").verify(r.getChunkToken(), System.currentTimeMillis())).isFalse();
        assertThat(r.getExpiresAtMillis() - System.currentTimeMillis()).isBetween(3_500_000L, 3_600_001L);
    }

    @Test
    void grantsLimitVolumes() {
        var alice = m.ns(login("alice", "alice-pw").getToken());
        var bob = m.ns(login("bob", "bob-pw").getToken());
        assertThat(alice.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                .extracting(Volume::getName).containsExactly("shared");
        assertThat(m.ns().listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                .extracting(Volume::getName).contains("shared", "secret");
        expectError(ErrorCode.ACCESS_DENIED, () -> alice.stat(StatEntryRequest.newBuilder().setVolume("secret")
                .setPath("/").build()));
        alice.createFile(CreateFileRequest.newBuilder().setVolume("shared").setPath("/by-alice").build());
        statRoot(bob);
        expectError(ErrorCode.ACCESS_DENIED, () -> bob.createFile(CreateFileRequest.newBuilder().setVolume("shared")
                .setPath("/by-bob").build()));
        expectError(ErrorCode.ACCESS_DENIED, () -> alice.createVolume(CreateVolumeRequest.newBuilder()
                .setName("mine").setReplicas(1).build()));
    }

    @Test
    void ensureAdminOnlyOnceAndJoinTokenFileIsPrivate() throws Exception {
        AdminBootstrap again = m.server.ensureAdmin(null);
        assertThat(again.created()).isFalse();
        assertThat(again.password()).isNull();
        Path token = dir.resolve("join.token");
        assertThat(Files.readString(token).trim()).isEqualTo(m.server.joinToken());
        assertThat(Base64.getUrlDecoder().decode(m.server.joinToken())).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
    }
}
