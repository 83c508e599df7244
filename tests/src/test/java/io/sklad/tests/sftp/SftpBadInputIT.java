package io.sklad.tests.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.sftp.SshClients.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SFTP/SCP endpoint of {@code sklad up} does with bad input: missing or wrong credentials, users
 * reaching past their grants, path tricks and symbolic links aimed outside, repeated failed logins. Every
 * refusal must be the protocol's own ("Permission denied ...", an SFTP status) and leave what is stored exactly
 * as it was, checked by a separate agent ({@link StoredTree}).
 *
 * <p>Users, grants and keys are set up with {@code sklad user ...}, volumes with {@code sklad volume create}.
 * The class runs in order: the failed-login test is last because it slows down every login from 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SftpBadInputIT {

    private static final String PW = SkladUp.ADMIN_PASSWORD;
    private static final String SECRET = "TOP-SECRET-VAULT";

    @TempDir
    static Path dir;

    SkladUp up;
    SshClients ssh;
    Path client;
    /** A host directory a jail break would write into; must stay empty. */
    Path hostCanary;

    @BeforeAll
    void startUp() throws Exception {
        SshClients.requireTool("sftp");
        SshClients.requireTool("sshpass");
        up = SkladUp.start(dir);
        client = Files.createDirectories(dir.resolve("client"));
        hostCanary = Files.createDirectories(dir.resolve("host-canary"));
        ssh = new SshClients(up.sftpPort(), client);
        RandomFiles.create(client.resolve("small.bin"), 10_000, 1);
        RandomFiles.create(client.resolve("bigger.bin"), 20_000, 2);

        Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
        Path inner = Files.writeString(dir.resolve("inner.txt"), "inner");
        up.sklad("volume", "create", "vault", "--replicas", "3");
        up.inspect("put " + secret + " /vault/secret.txt", "put " + client.resolve("small.bin") + " /main/keep.bin",
                "mkdir /main/dir", "put " + inner + " /main/dir/inner.txt");
        up.sklad("user", "add", "reader", "--password", "reader-Pass1");
        up.sklad("user", "grant", "reader", "main", "--read-only");
        up.sklad("user", "add", "bob", "--password", "bob-Pass1");
        up.sklad("user", "grant", "bob", "vault");
    }

    @AfterAll
    void stopUp() throws Exception {
        if (up != null) {
            assertThat(up.stop("SftpBadInputIT")).as(up.tail()).isIn(0, 130, 143);
        }
    }

    private Map<String, String> stored() throws IOException, InterruptedException {
        return up.tree();
    }

    private Run sftp(String user, String password, String... commands) throws Exception {
        return ssh.sftp(user, password, SshClients.passwordLogin(), Duration.ofMinutes(2), commands);
    }

    /** The SSH layer refused the login: the batch never ran. */
    private static void refusedAtLogin(Run r) {
        assertThat(r.exitCode()).as(r.all()).isNotZero();
        assertThat(r.stderr()).as(r.all()).contains("Permission denied (publickey,password)");
        assertThat(r.stdout()).as("no command ran").doesNotContain("sftp>");
    }

    /** The lines a batch command printed (up to the next command's echo). */
    private static List<String> listing(Run r, String command) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("sftp> ")) {
                in = line.equals("sftp> " + command);
            } else if (in) {
                out.addAll(List.of(line.trim().split("\\s+")));
            }
        }
        out.removeIf(String::isEmpty);
        return out;
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    private static final String[] WRITES = {
        "put small.bin /main/new.bin", "put small.bin /main/keep.bin", "rm /main/keep.bin",
        "rename /main/keep.bin /main/renamed.bin", "mkdir /main/newdir", "rmdir /main/dir"};

    @Test
    @Order(1)
    void noCredentialsWrongPasswordAndUnknownUserAreRefusedAndChangeNothing() throws Exception {
        Map<String, String> before = stored();
        String wrong = "Wrong-Pass-" + UUID.randomUUID();

        refusedAtLogin(ssh.sftp("admin", null, SshClients.noCredentials(), Duration.ofMinutes(1), WRITES));
        refusedAtLogin(sftp("admin", wrong, WRITES));
        refusedAtLogin(sftp("nobody-here", PW, WRITES));
        refusedAtLogin(sftp("root", PW, "ls /"));

        assertThat(stored()).isEqualTo(before);
        String log = up.output();
        assertThat(log).contains("failed login: user=admin address=127.0.0.1 method=password")
                .contains("failed login: user=nobody-here address=127.0.0.1 method=password");
        assertThat(log).as("passwords never reach the log").doesNotContain(wrong).doesNotContain(PW);
    }

    @Test
    @Order(2)
    void readOnlyGrantAnswersEveryChangeWithPermissionDenied() throws Exception {
        Map<String, String> before = stored();
        List<String> batch = new ArrayList<>(List.of("ls -1 /", "get /main/keep.bin got-keep.bin"));
        for (String w : WRITES) {
            batch.add("-" + w);
        }
        batch.addAll(List.of("-reput bigger.bin /main/keep.bin", "-chmod 600 /main/keep.bin",
                "-ln -s keep.bin /main/link", "-put small.bin /main/dir/inner.txt", "-rm /main/dir/inner.txt"));
        Run r = sftp("reader", "reader-Pass1", batch.toArray(String[]::new));

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("main").doesNotContain("vault");
        assertThat(RandomFiles.sha256(client.resolve("got-keep.bin"))).isEqualTo(RandomFiles.sha256(client.resolve("small.bin")));
        assertThat(count(r.stderr(), "Permission denied")).as(r.stderr()).isEqualTo(WRITES.length + 5);

        Run scp = ssh.scp("reader-Pass1", false, false, client.resolve("small.bin").toString(), "reader@127.0.0.1:/main/scp.bin");
        assertThat(scp.exitCode()).isNotZero();
        assertThat(scp.stderr()).contains("Permission denied");
        Run legacy = ssh.scp("reader-Pass1", true, false, client.resolve("small.bin").toString(), "reader@127.0.0.1:/main/scp.bin");
        assertThat(legacy.exitCode()).isNotZero();

        assertThat(stored()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aVolumeNotGrantedIsNeitherListedNorReachable() throws Exception {
        // links planted where bob may read, aimed at a volume bob has no grant on
        up.inspect("symlink /vault/to-main-abs /main/keep.bin", "symlink /vault/to-main-rel ../main/keep.bin",
                "symlink /vault/to-main-dir /main/dir");
        Map<String, String> before = stored();

        Run r = sftp("bob", "bob-Pass1", "ls -1 /", "get /vault/secret.txt own.txt",
                "-get /main/keep.bin b1.bin", "-get /vault/to-main-abs b2.bin", "-get /vault/to-main-rel b3.bin",
                "-get /vault/to-main-dir/inner.txt b4.txt", "-ls /vault/to-main-dir/", "-put small.bin /main/b5.bin",
                "-put small.bin /vault/to-main-dir/b6.bin", "-rename /vault/secret.txt /main/stolen.txt",
                "-rm /main/keep.bin", "-rmdir /main/dir");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(listing(r, "ls -1 /")).as(r.all()).containsExactly("/vault");
        assertThat(listing(r, "-ls /vault/to-main-dir/")).doesNotContain("inner.txt");
        assertThat(Files.readString(client.resolve("own.txt"))).isEqualTo(SECRET);
        for (String f : List.of("b1.bin", "b2.bin", "b3.bin", "b4.txt")) {
            assertThat(client.resolve(f)).as(f).doesNotExist();
        }
        assertThat(count(r.stderr(), "Permission denied")).as(r.stderr()).isGreaterThanOrEqualTo(8);
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void pathTricksAndLinksAimedOutsideNeverReachTheHost() throws Exception {
        Path agentData = dir.resolve("sklad-data").toAbsolutePath();
        String canary = hostCanary.toAbsolutePath().toString();
        up.inspect("symlink /main/host-abs /etc/passwd", "symlink /main/host-rel ../../../../../../../../etc/passwd",
                "symlink /main/host-dir /etc", "symlink /main/agent-profile " + agentData + "/profile.yaml",
                "symlink /main/canary-dir " + canary);
        Map<String, String> before = stored();
        String climb = "../../../../../../../..";

        Run r = sftp("admin", PW,
                "-get " + climb + "/etc/passwd p1", "-get /etc/passwd p2", "-get /main/../../../etc/passwd p3",
                "-get /main/host-abs p4", "-get /main/host-rel p5", "-get /main/host-dir/passwd p6",
                "-get /main/agent-profile p7", "-get " + agentData + "/profile.yaml p8", "-ls /main/host-dir/",
                "-put small.bin " + canary + "/c1", "-put small.bin " + climb + canary + "/c2",
                "-put small.bin /main/../../.." + canary + "/c3", "-put small.bin /main/canary-dir/c4",
                "-mkdir /main/canary-dir/c5", "-ln -s " + climb + "/etc/passwd /main/rel-out");
        Run root = sftp("admin", PW, "cd " + climb, "pwd", "ls -1", "cd /main/../..", "pwd");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.all()).doesNotContain("root:x:0:0").doesNotContain("token");
        for (int i = 1; i <= 8; i++) {
            assertThat(client.resolve("p" + i)).as("p" + i).doesNotExist();
        }
        assertThat(root.exitCode()).as(root.all()).isZero();
        assertThat(root.stdout()).doesNotContain("Remote working directory: /.");
        assertThat(count(root.stdout(), "Remote working directory: /\n")).as(root.all()).isEqualTo(2);
        assertThat(listing(root, "ls -1")).containsExactlyInAnyOrder("main", "vault");
        try (var canaryEntries = Files.list(hostCanary)) {
            assertThat(canaryEntries).as("nothing reached the host").isEmpty();
        }
        assertThat(stored()).isEqualTo(before);

        // a link made over SFTP with an absolute target stays inside the cluster: /etc is the volume "etc"
        Run link = sftp("admin", PW, "ln -s /etc/passwd /main/made-abs", "-get /main/made-abs p9");
        assertThat(link.exitCode()).as(link.all()).isZero();
        assertThat(client.resolve("p9")).doesNotExist();
        String target = up.query("readlink /main/made-abs");
        assertThat(Path.of("/main").resolve(target).normalize()).as(target).isEqualTo(Path.of("/etc/passwd"));
        up.inspect("delete /main/made-abs");
    }

    @Test
    @Order(5)
    void legacyScpWithCraftedNamesAndCommandsOtherThanScpAreRefused() throws Exception {
        Map<String, String> before = stored();
        String canary = hostCanary.toAbsolutePath().toString();
        for (String name : List.of("../../../../../../.." + canary + "/s1", canary + "/s2", "dir/s3", "..", "")) {
            // what a hostile client sends to "scp -t": a file header with a name that is not a plain name
            String stream = "C0644 5 " + name + "\nhello\0";
            Run r = ssh.run(withPassword(List.of("ssh", "-p", Integer.toString(ssh.port()), "admin@127.0.0.1",
                    "scp", "-t", "/main/")), Map.of("SSHPASS", PW), stream, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(name + ": " + r.all()).isNotZero();
        }
        for (String command : List.of("id", "cat /etc/passwd", "scp -f /etc/passwd", "sh -c 'echo pwned'")) {
            Run r = ssh.run(withPassword(List.of("ssh", "-p", Integer.toString(ssh.port()), "admin@127.0.0.1",
                    command)), Map.of("SSHPASS", PW), null, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(command + ": " + r.all()).isNotZero();
            assertThat(r.stdout()).as(command).doesNotContain("uid=").doesNotContain("root:x:0:0")
                    .doesNotContain("pwned");
        }
        try (var canaryEntries = Files.list(hostCanary)) {
            assertThat(canaryEntries).isEmpty();
        }
        assertThat(stored()).isEqualTo(before);
    }

    private static List<String> withPassword(List<String> sshCommand) {
        List<String> cmd = new ArrayList<>(List.of("sshpass", "-e", sshCommand.get(0)));
        cmd.addAll(SshClients.passwordLogin());
        cmd.addAll(sshCommand.subList(1, sshCommand.size()));
        return cmd;
    }

    @Test
    @Order(7)
    void aDisabledUserIsRefusedAtLogin() throws Exception {
        up.sklad("user", "add", "carol", "--password", "carol-Pass1");
        up.sklad("user", "grant", "carol", "main");
        Run first = sftp("carol", "carol-Pass1", "put small.bin /main/carol.bin");
        assertThat(first.exitCode()).as(first.all()).isZero();
        up.sklad("user", "disable", "carol");
        Map<String, String> before = stored();
        refusedAtLogin(sftp("carol", "carol-Pass1", "ls /main", "put small.bin /main/carol2.bin"));
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    @Order(8)
    void aChangedPasswordRefusesTheOldOne() throws Exception {
        up.sklad("user", "add", "dave", "--password", "dave-Pass1");
        up.sklad("user", "grant", "dave", "main");
        Run first = sftp("dave", "dave-Pass1", "put small.bin /main/dave.bin");
        assertThat(first.exitCode()).as(first.all()).isZero();
        up.sklad("user", "passwd", "dave", "--password", "dave-Pass2");
        Map<String, String> before = stored();
        refusedAtLogin(sftp("dave", "dave-Pass1", "put small.bin /main/dave2.bin"));
        assertThat(stored()).isEqualTo(before);
        Run fresh = sftp("dave", "dave-Pass2", "ls /main");
        assertThat(fresh.exitCode()).as(fresh.all()).isZero();
    }

    @Test
    @Order(6)
    void keyLoginWithRegisteredKeysOnly() throws Exception {
        Path erin = ssh.keygen("erin_key");
        Path stranger = ssh.keygen("stranger_key");
        up.sklad("user", "add", "erin", "--password", "erin-Pass1");
        up.sklad("user", "grant", "erin", "main", "--read-only");
        up.sklad("user", "grant", "erin", "vault");
        up.sklad("user", "key", "add", "erin", erin + ".pub");
        Map<String, String> before = stored();
        Run byKey = ssh.sftp("erin", null, SshClients.keyLogin(erin), Duration.ofMinutes(1), "ls -1 /",
                "put small.bin /vault/by-key.bin", "-put small.bin /main/by-key.bin");
        assertThat(byKey.exitCode()).as(byKey.all()).isZero();
        assertThat(byKey.stdout()).contains("main").contains("vault");
        assertThat(byKey.stderr()).contains("Permission denied");
        assertThat(up.inspect("size /vault/by-key.bin", "size /main/by-key.bin")).containsExactly("10000", "-1");
        up.inspect("delete /vault/by-key.bin");

        Run other = ssh.sftp("erin", null, SshClients.keyLogin(stranger), Duration.ofMinutes(1), "put small.bin /vault/x");
        assertThat(other.exitCode()).isNotZero();
        assertThat(other.stderr()).contains("Permission denied (publickey");
        Run wrongUser = ssh.sftp("bob", null, SshClients.keyLogin(erin), Duration.ofMinutes(1), "ls /");
        assertThat(wrongUser.exitCode()).isNotZero();
        assertThat(stored()).isEqualTo(before);
    }

    /**
     * Failures are counted per user and per source address. The attempts come from their own loopback address
     * (127.0.0.2), so the count starts at zero whatever the tests before did; last all the same, because that
     * address and user stay slow for a while.
     */
    @Test
    @Order(100)
    void repeatedFailedLoginsSlowDown() throws Exception {
        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Run r = sftpFrom("127.0.0.2", "mallory", "guess-" + i, "ls /");
            refusedAtLogin(r);
            took.add(r.took());
            if (r.took().compareTo(Duration.ofSeconds(3)) >= 0) {
                break;
            }
        }
        assertThat(took.get(0)).as(took.toString()).isLessThan(Duration.ofMillis(2500));
        assertThat(took.get(took.size() - 1)).as("failures slow down: " + took).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(took.size()).as(took.toString()).isGreaterThanOrEqualTo(3);
        assertThat(up.output()).contains("login delayed").contains("failed login: user=mallory address=127.0.0.2");

        // others are not slowed down by mallory ...
        Run elsewhere = sftpFrom("127.0.0.3", "admin", PW, "ls /");
        assertThat(elsewhere.exitCode()).as(elsewhere.all()).isZero();
        assertThat(elsewhere.took()).isLessThan(Duration.ofMillis(2500));
        // ... and from mallory's address the right password is slowed down, not locked out
        Run same = sftpFrom("127.0.0.2", "admin", PW, "ls /");
        assertThat(same.exitCode()).as(same.all()).isZero();
        assertThat(same.took()).isGreaterThan(Duration.ofSeconds(1));
        System.out.println("SftpBadInputIT: failed logins took " + took + "; admin from another address "
                + elsewhere.took() + ", from the same address " + same.took());
    }

    private Run sftpFrom(String source, String user, String password, String... commands) throws Exception {
        return ssh.sftpWith(user, password, SshClients.passwordLogin(), List.of("-o", "BindAddress=" + source),
                Duration.ofMinutes(2), commands);
    }
}
