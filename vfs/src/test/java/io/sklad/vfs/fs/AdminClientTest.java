package io.sklad.vfs.fs;

import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.GrantRole;
import io.sklad.vfs.client.GrpcAdminClient;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.client.TokenInfo;
import io.sklad.vfs.client.UserInfo;
import io.sklad.vfs.client.UserKey;
import io.sklad.vfs.client.VolumeGrant;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link GrpcAdminClient} and key login round trips against a real master (no workers needed). */
class AdminClientTest {

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static AdminClient admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
        admin = new GrpcAdminClient(cluster.masterAddress, ClusterFixture.TIMEOUT, login("admin",
                ClusterFixture.PASSWORD).token());
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        cluster.close();
    }

    private static LoginResult login(String user, String password) throws IOException {
        try (GrpcMetadataClient c = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            return c.login(user, password);
        }
    }

    private static String keyLine(String comment) throws IOException {
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

    private static UserInfo find(String name) throws IOException {
        return admin.listUsers().stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void usersGrantsAndPasswordsRoundTrip() throws Exception {
        UserInfo added = admin.addUser("olga", "olga-pw", false);
        assertThat(added.name()).isEqualTo("olga");
        assertThat(added.admin()).isFalse();
        admin.grant("olga", "main", GrantRole.READ_WRITE);
        assertThat(find("olga").grants()).containsExactly(new VolumeGrant("main", GrantRole.READ_WRITE));
        assertThat(admin.listUsers()).extracting(UserInfo::name).contains("admin", "olga");

        admin.setUserDisabled("olga", true);
        assertThat(find("olga").disabled()).isTrue();
        AccessDeniedException refused = expect(AccessDeniedException.class,
                () -> login("olga", "olga-pw"));
        assertThat(refused.getReason()).startsWith(SkladReasons.UNAUTHENTICATED);
        admin.setUserDisabled("olga", false);

        admin.setPassword("olga", null, "new-pw");
        LoginResult olga = login("olga", "new-pw");
        try (AdminClient self = new GrpcAdminClient(cluster.masterAddress, ClusterFixture.TIMEOUT, olga.token())) {
            self.setPassword("olga", "new-pw", "newer-pw");
            expect(AccessDeniedException.class, self::listUsers);
            expect(AccessDeniedException.class, () -> self.grant("olga", "main", GrantRole.OWNER));
        }
        login("olga", "newer-pw");

        assertThat(admin.revoke("olga", "main")).isTrue();
        assertThat(admin.revoke("olga", "main")).isFalse();
        assertThat(find("olga").grants()).isEmpty();

        assertThat(expect(FileSystemException.class, () -> admin.addUser("-bad", "pw", false))
                .getReason()).startsWith(SkladReasons.INVALID_ARGUMENT);
        expect(FileAlreadyExistsException.class, () -> admin.addUser("olga", "pw", false));
        expect(NoSuchFileException.class, () -> admin.removeUser("nobody"));
        expect(NoSuchFileException.class, () -> admin.grant("olga", "no-volume", GrantRole.OWNER));

        admin.removeUser("olga");
        assertThat(find("olga")).isNull();
    }

    @Test
    void keysTokensAndKeyLogin() throws Exception {
        admin.addUser("backup", "backup-pw", false);
        admin.grant("backup", "main", GrantRole.READ_ONLY);
        String line = keyLine("backup@server");
        UserKey key = admin.addKey("backup", line, null);
        assertThat(key.type()).isEqualTo("ssh-ed25519");
        assertThat(key.comment()).isEqualTo("backup@server");
        assertThat(key.fingerprint()).startsWith("SHA256:");
        assertThat(admin.listKeys("backup")).containsExactly(key);
        assertThat(find("backup").keyCount()).isEqualTo(1);
        expect(FileAlreadyExistsException.class, () -> admin.addKey("backup", line, "again"));
        assertThat(expect(FileSystemException.class, () -> admin.addKey("backup", "ssh-ed25519 x", null))
                .getReason()).startsWith(SkladReasons.INVALID_ARGUMENT);

        try (GrpcMetadataClient agent = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            LoginResult r = agent.loginWithKey(cluster.master.joinToken(), "backup", line);
            assertThat(r.token()).isNotEmpty();
            assertThat(r.admin()).isFalse();
            assertThat(agent.listVolumes()).extracting(v -> v.name()).containsExactly("main");
            expect(AccessDeniedException.class,
                    () -> agent.loginWithKey("wrong-join-token", "backup", line));
            expect(AccessDeniedException.class,
                    () -> agent.loginWithKey(cluster.master.joinToken(), "backup", keyLine("stranger")));
            expect(AccessDeniedException.class,
                    () -> agent.loginWithKey(cluster.master.joinToken(), "nobody", line));
        }

        login("backup", "backup-pw");
        List<TokenInfo> tokens = admin.listTokens("backup");
        assertThat(tokens).hasSize(2).noneMatch(TokenInfo::revoked);
        assertThat(admin.revokeTokens("backup", List.of(tokens.get(0).id()))).isEqualTo(1);
        assertThat(admin.revokeTokens("backup", List.of())).isEqualTo(1);
        assertThat(admin.listTokens("backup")).allMatch(TokenInfo::revoked);

        admin.removeKey("backup", key.fingerprint());
        assertThat(admin.listKeys("backup")).isEmpty();
        expect(NoSuchFileException.class, () -> admin.removeKey("backup", key.fingerprint()));
        try (GrpcMetadataClient agent = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            expect(AccessDeniedException.class,
                    () -> agent.loginWithKey(cluster.master.joinToken(), "backup", line));
        }
    }

    /** The exception {@code call} throws, which must be a {@code type}. */
    static <T extends Throwable> T expect(Class<T> type, ThrowableAssert.ThrowingCallable call) {
        T e = catchThrowableOfType(type, call);
        assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
        return e;
    }
}
