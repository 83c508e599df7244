package io.sklad.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sklad.cli.cluster.EmbeddedCluster;
import io.sklad.metadata.auth.UserAdministration;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.store.Role;
import io.sklad.vfs.fs.SkladFileSystem;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The agent's login memory against a real in-process master and worker: what the master says goes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentSessionsTest {

    private static final Principal ADMIN = new Principal("admin", true);

    @TempDir
    static Path dir;
    EmbeddedCluster cluster;
    UserAdministration users;
    /** The sessions' clock, moved by hand: the recheck window is 5 s of it. */
    final AtomicLong now = new AtomicLong();
    AgentSessions sessions;

    @BeforeAll
    void start() throws Exception {
        cluster = EmbeddedCluster.start(EmbeddedCluster.Settings.defaults(dir).withWorkers(1).withMasterPort(0),
                "admin-pw", Duration.ofSeconds(60));
        users = cluster.master().userAdministration();
        try (SkladFileSystem admin = SkladFileSystem.open(io.sklad.vfs.AgentConfig.withPassword(
                cluster.masterAddress(), "admin", "admin-pw", dir.resolve("admin")))) {
            admin.createVolume("main", 1, 64 * 1024);
        }
        sessions = new AgentSessions(cluster.masterAddress(), cluster.master().joinToken(), dir.resolve("agent"), 0,
                Duration.ofSeconds(5), now::get);
    }

    @AfterAll
    void stop() {
        if (sessions != null) {
            sessions.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void newUser(String name, String password) {
        users.addUser(ADMIN, name, password, false);
        users.grant(ADMIN, name, "main", Role.READ_WRITE);
    }

    private static void alive(SkladFileSystem fs) throws Exception {
        assertThat(fs.listVolumes()).extracting(v -> v.name()).containsExactly("main");
    }

    private static void dead(SkladFileSystem fs) {
        assertThatThrownBy(fs::listVolumes).isInstanceOfAny(AccessDeniedException.class,
                java.nio.file.ClosedFileSystemException.class);
    }

    @Test
    void aRememberedLoginAnswersFromMemoryOnlyWithinTheWindow() throws Exception {
        newUser("win", "win-pw");
        SkladFileSystem fs = sessions.login("win", "win-pw").orElseThrow();
        assertThat(sessions.login("win", "win-pw")).containsSame(fs);
        assertThat(sessions.login("win", "wrong")).isEmpty();

        users.setUserDisabled(ADMIN, "win", true);
        dead(fs);
        // within the window WebDAV gets the remembered file system, which fails every call ...
        assertThat(sessions.login("win", "win-pw")).containsSame(fs);
        // ... a new SFTP connection asks the master at once, and after the window so does WebDAV
        assertThat(sessions.loginNewSession("win", "win-pw")).isEmpty();
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(sessions.login("win", "win-pw")).isEmpty();
        assertThat(fs.isOpen()).isFalse();
    }

    @Test
    void aDisabledUserIsRefusedAtOnceOnANewSession() throws Exception {
        newUser("carol", "carol-pw");
        SkladFileSystem fs = sessions.loginNewSession("carol", "carol-pw").orElseThrow();
        alive(fs);
        assertThat(sessions.loginNewSession("carol", "carol-pw")).containsSame(fs);

        users.setUserDisabled(ADMIN, "carol", true);
        assertThat(sessions.loginNewSession("carol", "carol-pw")).isEmpty();
        dead(fs);
        users.setUserDisabled(ADMIN, "carol", false);
        SkladFileSystem again = sessions.loginNewSession("carol", "carol-pw").orElseThrow();
        assertThat(again).isNotSameAs(fs);
        alive(again);
    }

    @Test
    void aChangedPasswordRefusesTheOldOneAndEndsItsSessions() throws Exception {
        newUser("dave", "dave-pw1");
        SkladFileSystem old = sessions.loginNewSession("dave", "dave-pw1").orElseThrow();
        alive(old);

        users.setPassword(ADMIN, "dave", null, "dave-pw2");
        dead(old);
        assertThat(sessions.loginNewSession("dave", "dave-pw1")).isEmpty();
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(sessions.login("dave", "dave-pw1")).isEmpty();
        SkladFileSystem fresh = sessions.login("dave", "dave-pw2").orElseThrow();
        alive(fresh);
    }

    @Test
    void aRevokedOrExpiredTokenIsReplacedByAFreshLoginWhileThePasswordHolds() throws Exception {
        newUser("erin", "erin-pw");
        SkladFileSystem first = sessions.loginNewSession("erin", "erin-pw").orElseThrow();
        users.revokeTokens(ADMIN, "erin", List.of());
        dead(first);
        SkladFileSystem second = sessions.loginNewSession("erin", "erin-pw").orElseThrow();
        assertThat(second).isNotSameAs(first);
        alive(second);
        assertThat(first.isOpen()).as("the dead one is closed").isFalse();
    }

    @Test
    void missingCredentialsNeverReachTheMaster() {
        assertThat(sessions.login(null, "x")).isEmpty();
        assertThat(sessions.login("", "x")).isEmpty();
        assertThat(sessions.login("admin", null)).isEmpty();
        assertThat(sessions.loginWithKey("admin", null)).isEmpty();
        assertThat(sessions.loginNewSession("nobody", "x")).isEmpty();
    }
}
