package io.sklad.metadata;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.sklad.proto.v1.AddKeyRequest;
import io.sklad.proto.v1.AddUserRequest;
import io.sklad.proto.v1.AdminServiceGrpc;
import io.sklad.proto.v1.AgentAuthServiceGrpc;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.proto.v1.GrantRequest;
import io.sklad.proto.v1.GrantRole;
import io.sklad.proto.v1.ListKeysRequest;
import io.sklad.proto.v1.ListTokensRequest;
import io.sklad.proto.v1.ListUsersRequest;
import io.sklad.proto.v1.ListVolumesRequest;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.LoginResponse;
import io.sklad.proto.v1.LoginWithKeyRequest;
import io.sklad.proto.v1.RemoveKeyRequest;
import io.sklad.proto.v1.RemoveUserRequest;
import io.sklad.proto.v1.RevokeRequest;
import io.sklad.proto.v1.RevokeTokensRequest;
import io.sklad.proto.v1.SetPasswordRequest;
import io.sklad.proto.v1.SetUserDisabledRequest;
import io.sklad.proto.v1.StatEntryRequest;
import io.sklad.proto.v1.TokenInfo;
import io.sklad.proto.v1.User;
import io.sklad.proto.v1.UserKey;
import io.sklad.proto.v1.Volume;
import io.sklad.proto.v1.VolumeGrant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

/** AdminService and AgentAuthService against a real master: every call, and its refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminServiceTest {
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    static Path dir;
    MasterFixture m;
    AdminServiceGrpc.AdminServiceBlockingStub admin;

    @BeforeAll
    void start() {
        m = new MasterFixture(MasterConfig.defaults(dir).withListenPort(0).withTokenTtl(Duration.ofHours(1)));
        m.registerNode("n1");
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("docs").setReplicas(1).build());
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("other").setReplicas(1).build());
        admin = admin(m.adminLogin.getToken());
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    private AdminServiceGrpc.AdminServiceBlockingStub admin(String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return AdminServiceGrpc.newBlockingStub(m.channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private AgentAuthServiceGrpc.AgentAuthServiceBlockingStub agentAuth(String joinToken) {
        var stub = AgentAuthServiceGrpc.newBlockingStub(m.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        if (joinToken == null) {
            return stub;
        }
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("sklad-join-token", Metadata.ASCII_STRING_MARSHALLER), joinToken);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    }

    private String newUser(boolean isAdmin) {
        String name = "user" + USERS.incrementAndGet();
        admin.addUser(AddUserRequest.newBuilder().setName(name).setPassword(name + "-pw").setAdmin(isAdmin).build());
        return name;
    }

    private LoginResponse login(String user, String password) {
        return m.auth().login(LoginRequest.newBuilder().setUser(user).setPassword(password).build());
    }

    private User listed(String name) {
        return admin.listUsers(ListUsersRequest.getDefaultInstance()).getUsersList().stream()
                .filter(u -> u.getName().equals(name)).findFirst().orElse(null);
    }

    private void statDocs(String token) {
        m.ns(token).stat(StatEntryRequest.newBuilder().setVolume("docs").setPath("/").build());
    }

    /** An ed25519 public key line in OpenSSH form (random key bytes: the master checks framing only). */
    static String ed25519Key(String comment) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(blob);
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        out.writeInt(type.length);
        out.write(type);
        out.writeInt(key.length);
        out.write(key);
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " " + comment;
    }

    static String fingerprint(String keyLine) throws Exception {
        byte[] blob = Base64.getDecoder().decode(keyLine.split(" ")[1]);
        return "SHA256:" + Base64.getEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
    }

    @Test
    void addListAndLoginAsNewUser() {
        String name = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_WRITE).build());
        User u = listed(name);
        assertThat(u.getAdmin()).isFalse();
        assertThat(u.getDisabled()).isFalse();
        assertThat(u.getKeyCount()).isZero();
        assertThat(u.getCreatedAtMillis()).isPositive();
        assertThat(u.getGrantsList()).containsExactly(VolumeGrant.newBuilder().setVolume("docs")
                .setRole(GrantRole.READ_WRITE).build());
        LoginResponse r = login(name, name + "-pw");
        assertThat(r.getAdmin()).isFalse();
        assertThat(m.ns(r.getToken()).listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                .extracting(Volume::getName).containsExactly("docs");
        expectError(ErrorCode.ALREADY_EXISTS, () -> admin.addUser(AddUserRequest.newBuilder().setName(name)
                .setPassword("x").build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.addUser(AddUserRequest.newBuilder().setName("nopw")
                .build()));
        assertThat(listed("nopw")).isNull();

        String boss = newUser(true);
        assertThat(listed(boss).getAdmin()).isTrue();
        assertThat(login(boss, boss + "-pw").getAdmin()).isTrue();
    }

    @Test
    void userNamesAreValidated() {
        for (String bad : List.of("", "-rf", "a b", "a/b", "..", ".", "x".repeat(65), "tab\there", "ümlaut",
                "semi;colon")) {
            expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.addUser(AddUserRequest.newBuilder().setName(bad)
                    .setPassword("pw").build()));
        }
        String longest = "n".repeat(64);
        admin.addUser(AddUserRequest.newBuilder().setName(longest).setPassword("pw").build());
        admin.addUser(AddUserRequest.newBuilder().setName("a.b_c-d.9").setPassword("pw").build());
        assertThat(admin.listUsers(ListUsersRequest.getDefaultInstance()).getUsersList()).extracting(User::getName)
                .contains(longest, "a.b_c-d.9").doesNotContain("-rf", "..");
    }

    @Test
    void everyCallNeedsTheAdminRole() throws Exception {
        String name = newUser(false);
        String victim = newUser(false);
        var user = admin(login(name, name + "-pw").getToken());
        String key = ed25519Key("k");
        List<Runnable> calls = List.of(
                () -> user.addUser(AddUserRequest.newBuilder().setName("sneaky").setPassword("pw").build()),
                () -> user.listUsers(ListUsersRequest.getDefaultInstance()),
                () -> user.setUserDisabled(SetUserDisabledRequest.newBuilder().setName(victim).setDisabled(true).build()),
                () -> user.removeUser(RemoveUserRequest.newBuilder().setName(victim).build()),
                () -> user.setPassword(SetPasswordRequest.newBuilder().setName(victim).setNewPassword("x").build()),
                () -> user.grant(GrantRequest.newBuilder().setUser(name).setVolume("other")
                        .setRole(GrantRole.OWNER).build()),
                () -> user.revoke(RevokeRequest.newBuilder().setUser(victim).setVolume("docs").build()),
                () -> user.addKey(AddKeyRequest.newBuilder().setUser(name).setPublicKey(key).build()),
                () -> user.listKeys(ListKeysRequest.newBuilder().setUser(name).build()),
                () -> user.removeKey(RemoveKeyRequest.newBuilder().setUser(name).setFingerprint("SHA256:x").build()),
                () -> user.listTokens(ListTokensRequest.newBuilder().setUser(name).build()),
                () -> user.revokeTokens(RevokeTokensRequest.newBuilder().setUser(victim).build()));
        for (Runnable call : calls) {
            expectError(ErrorCode.ACCESS_DENIED, call);
        }
        // nothing changed
        assertThat(listed("sneaky")).isNull();
        assertThat(listed(victim).getDisabled()).isFalse();
        assertThat(listed(name).getGrantsList()).isEmpty();
        assertThat(listed(name).getKeyCount()).isZero();
        login(victim, victim + "-pw");
        // without any token: UNAUTHENTICATED
        expectError(ErrorCode.UNAUTHENTICATED, () -> AdminServiceGrpc.newBlockingStub(m.channel)
                .listUsers(ListUsersRequest.getDefaultInstance()));
    }

    @Test
    void unknownUsersAreNotFound() throws Exception {
        String key = ed25519Key("k");
        List<Runnable> calls = List.of(
                () -> admin.setUserDisabled(SetUserDisabledRequest.newBuilder().setName("ghost").setDisabled(true).build()),
                () -> admin.removeUser(RemoveUserRequest.newBuilder().setName("ghost").build()),
                () -> admin.setPassword(SetPasswordRequest.newBuilder().setName("ghost").setNewPassword("x").build()),
                () -> admin.grant(GrantRequest.newBuilder().setUser("ghost").setVolume("docs")
                        .setRole(GrantRole.READ_ONLY).build()),
                () -> admin.revoke(RevokeRequest.newBuilder().setUser("ghost").setVolume("docs").build()),
                () -> admin.addKey(AddKeyRequest.newBuilder().setUser("ghost").setPublicKey(key).build()),
                () -> admin.listKeys(ListKeysRequest.newBuilder().setUser("ghost").build()),
                () -> admin.removeKey(RemoveKeyRequest.newBuilder().setUser("ghost").setFingerprint("SHA256:x").build()),
                () -> admin.listTokens(ListTokensRequest.newBuilder().setUser("ghost").build()),
                () -> admin.revokeTokens(RevokeTokensRequest.newBuilder().setUser("ghost").build()),
                () -> admin.listKeys(ListKeysRequest.newBuilder().setUser("../etc").build()));
        for (Runnable call : calls) {
            expectError(ErrorCode.NOT_FOUND, call);
        }
        assertThat(listed("ghost")).isNull();
    }

    @Test
    void disablingRefusesExistingTokensAtOnce() {
        String name = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        String token = login(name, name + "-pw").getToken();
        statDocs(token);
        admin.setUserDisabled(SetUserDisabledRequest.newBuilder().setName(name).setDisabled(true).build());
        assertThat(listed(name).getDisabled()).isTrue();
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(token));
        expectError(ErrorCode.UNAUTHENTICATED, () -> login(name, name + "-pw"));
        admin.setUserDisabled(SetUserDisabledRequest.newBuilder().setName(name).setDisabled(false).build());
        statDocs(login(name, name + "-pw").getToken());
        // the tokens were revoked, not just refused: enabling the user again does not bring them back
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(token));
        // an admin cannot lock itself out
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.setUserDisabled(SetUserDisabledRequest.newBuilder()
                .setName("admin").setDisabled(true).build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.removeUser(RemoveUserRequest.newBuilder()
                .setName("admin").build()));
        assertThat(listed("admin").getDisabled()).isFalse();
    }

    @Test
    void removingAUserRevokesItsTokensGrantsAndKeys() throws Exception {
        String name = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.OWNER).build());
        admin.addKey(AddKeyRequest.newBuilder().setUser(name).setPublicKey(ed25519Key("laptop")).build());
        String token = login(name, name + "-pw").getToken();
        statDocs(token);
        admin.removeUser(RemoveUserRequest.newBuilder().setName(name).build());
        assertThat(listed(name)).isNull();
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(token));
        expectError(ErrorCode.UNAUTHENTICATED, () -> login(name, name + "-pw"));
        // the same name again starts from nothing: old token still refused, no grants, no keys
        admin.addUser(AddUserRequest.newBuilder().setName(name).setPassword("fresh").build());
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(token));
        assertThat(listed(name).getGrantsList()).isEmpty();
        assertThat(listed(name).getKeyCount()).isZero();
        expectError(ErrorCode.ACCESS_DENIED, () -> statDocs(login(name, "fresh").getToken()));
    }

    @Test
    void passwords() {
        String name = newUser(false);
        String other = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        admin.grant(GrantRequest.newBuilder().setUser(other).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        String selfToken = login(name, name + "-pw").getToken();
        String elsewhere = login(name, name + "-pw").getToken();
        String otherToken = login(other, other + "-pw").getToken();
        var self = admin(selfToken);
        expectError(ErrorCode.ACCESS_DENIED, () -> self.setPassword(SetPasswordRequest.newBuilder().setName(name)
                .setOldPassword("wrong").setNewPassword("new-pw").build()));
        expectError(ErrorCode.ACCESS_DENIED, () -> self.setPassword(SetPasswordRequest.newBuilder().setName(other)
                .setOldPassword(other + "-pw").setNewPassword("mine-now").build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> self.setPassword(SetPasswordRequest.newBuilder().setName(name)
                .setOldPassword(name + "-pw").build()));
        self.setPassword(SetPasswordRequest.newBuilder().setName(name).setOldPassword(name + "-pw")
                .setNewPassword("new-pw").build());
        expectError(ErrorCode.UNAUTHENTICATED, () -> login(name, name + "-pw"));
        // the user's other sessions end with the old password; the one that changed it goes on
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(elsewhere));
        statDocs(selfToken);
        statDocs(otherToken);
        String fresh = login(name, "new-pw").getToken();
        login(other, other + "-pw");
        // an admin needs no old password, and ends every session of the user
        admin.setPassword(SetPasswordRequest.newBuilder().setName(name).setNewPassword("reset-pw").build());
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(selfToken));
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(fresh));
        statDocs(otherToken);
        statDocs(login(name, "reset-pw").getToken());
        assertThat(listed(name).getAdmin()).isFalse();
    }

    @Test
    void grantsAndRevokes() {
        String name = newUser(false);
        String token = login(name, name + "-pw").getToken();
        expectError(ErrorCode.ACCESS_DENIED, () -> statDocs(token));
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        statDocs(token);
        expectError(ErrorCode.ACCESS_DENIED, () -> m.ns(token).createFile(CreateFileRequest.newBuilder()
                .setVolume("docs").setPath("/ro-" + name).build()));
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_WRITE).build());
        m.ns(token).createFile(CreateFileRequest.newBuilder().setVolume("docs").setPath("/rw-" + name).build());
        assertThat(listed(name).getGrantsList()).extracting(VolumeGrant::getRole).containsExactly(GrantRole.READ_WRITE);
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> admin.grant(GrantRequest.newBuilder().setUser(name)
                .setVolume("nope").setRole(GrantRole.OWNER).build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.grant(GrantRequest.newBuilder().setUser(name)
                .setVolume("other").build()));
        assertThat(admin.revoke(RevokeRequest.newBuilder().setUser(name).setVolume("docs").build()).getRevoked())
                .isTrue();
        assertThat(admin.revoke(RevokeRequest.newBuilder().setUser(name).setVolume("docs").build()).getRevoked())
                .isFalse();
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> admin.revoke(RevokeRequest.newBuilder().setUser(name)
                .setVolume("nope").build()));
        expectError(ErrorCode.ACCESS_DENIED, () -> statDocs(token));
        assertThat(listed(name).getGrantsList()).isEmpty();
    }

    @Test
    void keysAndKeyLogin() throws Exception {
        String name = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        String key = ed25519Key("alice@laptop");
        UserKey added = admin.addKey(AddKeyRequest.newBuilder().setUser(name).setPublicKey(key).build()).getKey();
        assertThat(added.getFingerprint()).isEqualTo(fingerprint(key));
        assertThat(added.getType()).isEqualTo("ssh-ed25519");
        assertThat(added.getComment()).isEqualTo("alice@laptop");
        assertThat(key).startsWith(added.getPublicKey());
        String second = ed25519Key("ignored");
        assertThat(admin.addKey(AddKeyRequest.newBuilder().setUser(name).setPublicKey(second).setComment("backup")
                .build()).getKey().getComment()).isEqualTo("backup");
        assertThat(admin.listKeys(ListKeysRequest.newBuilder().setUser(name).build()).getKeysList())
                .extracting(UserKey::getFingerprint).containsExactly(fingerprint(key), fingerprint(second));
        assertThat(listed(name).getKeyCount()).isEqualTo(2);
        expectError(ErrorCode.ALREADY_EXISTS, () -> admin.addKey(AddKeyRequest.newBuilder().setUser(name)
                .setPublicKey(key).build()));
        for (String bad : List.of("", "ssh-ed25519", "ssh-ed25519 !!!notbase64", "from=\"x\" " + key,
                "ssh-rsa " + key.split(" ")[1])) {
            expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.addKey(AddKeyRequest.newBuilder().setUser(name)
                    .setPublicKey(bad).build()));
        }

        // key login: join token required, then only a registered key of an enabled user
        var agent = agentAuth(m.server.joinToken());
        LoginResponse r = agent.loginWithKey(LoginWithKeyRequest.newBuilder().setUser(name).setPublicKey(key).build());
        statDocs(r.getToken());
        assertThat(r.getChunkToken()).contains("." + name + ".");
        // the comment does not matter, the key does
        agent.loginWithKey(LoginWithKeyRequest.newBuilder().setUser(name).setPublicKey(added.getPublicKey()).build());
        ErrorDetail wrongPassword = expectError(ErrorCode.UNAUTHENTICATED, () -> login(name, "wrong"));
        String stranger = ed25519Key("stranger");
        for (LoginWithKeyRequest bad : List.of(
                LoginWithKeyRequest.newBuilder().setUser(name).setPublicKey(stranger).build(),
                LoginWithKeyRequest.newBuilder().setUser("ghost").setPublicKey(key).build(),
                LoginWithKeyRequest.newBuilder().setUser(name).setPublicKey("garbage").build())) {
            ErrorDetail d = expectError(ErrorCode.UNAUTHENTICATED, () -> agent.loginWithKey(bad));
            assertThat(d.getMessage()).isEqualTo(wrongPassword.getMessage());
        }
        LoginWithKeyRequest good = LoginWithKeyRequest.newBuilder().setUser(name).setPublicKey(key).build();
        expectError(ErrorCode.UNAUTHENTICATED, () -> agentAuth(null).loginWithKey(good));
        expectError(ErrorCode.UNAUTHENTICATED, () -> agentAuth("not-the-join-token").loginWithKey(good));

        admin.setUserDisabled(SetUserDisabledRequest.newBuilder().setName(name).setDisabled(true).build());
        expectError(ErrorCode.UNAUTHENTICATED, () -> agent.loginWithKey(good));
        admin.setUserDisabled(SetUserDisabledRequest.newBuilder().setName(name).setDisabled(false).build());

        String fp = fingerprint(key);
        admin.removeKey(RemoveKeyRequest.newBuilder().setUser(name).setFingerprint(fp).build());
        expectError(ErrorCode.NOT_FOUND, () -> admin.removeKey(RemoveKeyRequest.newBuilder().setUser(name)
                .setFingerprint(fp).build()));
        expectError(ErrorCode.UNAUTHENTICATED, () -> agent.loginWithKey(good));
        assertThat(listed(name).getKeyCount()).isEqualTo(1);
    }

    @Test
    void tokensCanBeListedAndRevoked() throws Exception {
        String name = newUser(false);
        admin.grant(GrantRequest.newBuilder().setUser(name).setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        String first = login(name, name + "-pw").getToken();
        String second = login(name, name + "-pw").getToken();
        String third = login(name, name + "-pw").getToken();
        List<TokenInfo> tokens = admin.listTokens(ListTokensRequest.newBuilder().setUser(name).build()).getTokensList();
        assertThat(tokens).hasSize(3).allSatisfy(t -> {
            assertThat(t.getId()).hasSize(16);
            assertThat(t.getRevoked()).isFalse();
            assertThat(t.getExpiresAtMillis()).isGreaterThan(t.getCreatedAtMillis());
        });
        String firstId = sha256Hex(first).substring(0, 16);
        assertThat(tokens).extracting(TokenInfo::getId).contains(firstId);
        assertThat(admin.revokeTokens(RevokeTokensRequest.newBuilder().setUser(name).addIds(firstId).build())
                .getRevoked()).isEqualTo(1);
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(first));
        statDocs(second);
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin.revokeTokens(RevokeTokensRequest.newBuilder()
                .setUser(name).addIds("%").build()));
        assertThat(admin.revokeTokens(RevokeTokensRequest.newBuilder().setUser(name).build()).getRevoked())
                .isEqualTo(2);
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(second));
        expectError(ErrorCode.UNAUTHENTICATED, () -> statDocs(third));
        assertThat(admin.listTokens(ListTokensRequest.newBuilder().setUser(name).build()).getTokensList())
                .allMatch(TokenInfo::getRevoked);
        // an admin's own tokens are untouched
        admin.listUsers(ListUsersRequest.getDefaultInstance());
    }

    @Test
    void expiredTokenIsRefusedByAdminService() throws Exception {
        String boss = newUser(true);
        LoginResponse r = m.auth().login(LoginRequest.newBuilder().setUser(boss).setPassword(boss + "-pw")
                .setTtlSeconds(1).build());
        admin(r.getToken()).listUsers(ListUsersRequest.getDefaultInstance());
        Thread.sleep(1100);
        expectError(ErrorCode.UNAUTHENTICATED, () -> admin(r.getToken()).listUsers(ListUsersRequest.getDefaultInstance()));
    }

    private static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
