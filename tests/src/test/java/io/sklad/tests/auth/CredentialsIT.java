package io.sklad.tests.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.harness.SkladProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every entry point of one real {@code sklad up} refuses bad credentials the same way, in its own protocol:
 * gRPC through the {@code sklad} command (profiles holding missing, bad, expired and revoked tokens),
 * WebDAV through curl (401, 403), SFTP through OpenSSH {@code sftp} with {@code sshpass} ("Permission denied").
 * The cases: no credentials, a wrong password, an unknown user, a disabled user, an expired or revoked token,
 * an old password after a change, a volume not granted, a read-only user writing, paths that climb into another
 * volume. After each group, what is stored is compared, file by file (SHA-256 via {@code sklad get} as admin),
 * with what was there before.
 *
 * <p>Failed attempts come from their own loopback addresses (127.0.1.N): the login throttles count per
 * source address, and the attempts must not slow down each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialsIT {

    private static final String ADMIN_PW = "Admin-Pass-1";
    private static final String WRONG = "Wrong-Pass-8d1f";
    private static final List<String> FILES = List.of("/main/keep.bin", "/main/dir/inner.bin", "/other/o.bin");
    private static final List<String> DIRS = List.of("/main", "/other");

    @TempDir
    static Path dir;

    SkladProcess up;
    String master;
    int davPort;
    int sftpPort;
    Path client;
    Path small;
    final AtomicInteger sources = new AtomicInteger(10);

    @BeforeAll
    void start() throws Exception {
        for (String tool : List.of("curl", "sftp", "sshpass")) {
            requireTool(tool);
        }
        up = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", ADMIN_PW), "up", "--workers", "3",
                "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0", "--no-fuse", "--token-ttl", "1h");
        up.awaitOutput("Sklad is up", Duration.ofSeconds(120));
        master = up.awaitOutput("^\\s+master:\\s+(\\S+)\\s*$", Duration.ofSeconds(5));
        davPort = Integer.parseInt(up.awaitOutput("webdav:\\s+http://127\\.0\\.0\\.1:(\\d+)/", Duration.ofSeconds(5)));
        sftpPort = Integer.parseInt(up.awaitOutput("sftp:\\s+sftp -P (\\d+)", Duration.ofSeconds(5)));

        client = Files.createDirectories(dir.resolve("client"));
        small = RandomFiles.create(client.resolve("small.bin"), 10_000, 1);
        admin("volume", "create", "other", "--replicas", "3");
        admin("put", RandomFiles.create(client.resolve("keep.bin"), 200_000, 2).toString(), "/main/keep.bin");
        admin("mkdir", "/main/dir");
        admin("put", RandomFiles.create(client.resolve("inner.bin"), 30_000, 3).toString(), "/main/dir/inner.bin");
        admin("put", RandomFiles.create(client.resolve("o.bin"), 50_000, 4).toString(), "/other/o.bin");
        for (String user : List.of("rw", "reader", "outsider", "gone", "wanda", "sam", "pat", "off")) {
            admin("user", "add", user, "--password", user + "-Pass1");
        }
        admin("user", "grant", "reader", "main", "--read-only");
        admin("user", "grant", "outsider", "other");
        for (String user : List.of("rw", "gone", "wanda", "sam", "pat", "off")) {
            admin("user", "grant", user, "main");
        }
        admin("user", "disable", "off");
    }

    @AfterAll
    void stop() throws Exception {
        if (up != null) {
            int exit = up.stop();
            Path logs = Files.createDirectories(Path.of("target", "auth-it-logs"));
            Files.copy(dir.resolve("up.log"), logs.resolve("CredentialsIT-up.log"), StandardCopyOption.REPLACE_EXISTING);
            assertThat(exit).isIn(0, 130, 143);
        }
    }

    // ------------------------------------------------------------------------------------------- gRPC

    @Test
    @Order(1)
    void grpcRefusesMissingBadExpiredAndRevokedTokensAndDisabledUsers() throws Exception {
        Map<String, String> before = stored();
        String put = small.toString();

        // no credentials at all: no profile, no SKLAD_USER — the command refuses before it calls
        Path nowhere = Files.createDirectories(dir.resolve("nowhere"));
        CommandResult none = Commands.run(nowhere, Map.of("HOME", nowhere.toString(), "XDG_CONFIG_HOME",
                nowhere.resolve("config").toString(), "XDG_CACHE_HOME", nowhere.resolve("cache").toString()), 120,
                Commands.sklad("put", "--master", master, put, "/main/new.bin"));
        refused(none, "not logged in");
        // a profile without a token, and one with a token the master never issued: the master refuses
        refused(withProfile(profile("empty", ""), "put", put, "/main/new.bin"), "log in");
        refused(withProfile(profile("forged", "AAAAnot-a-real-token"), "rm", "/main/keep.bin"),
                "unknown, expired or revoked");
        // a wrong password and an unknown user, for a command and for 'sklad login'
        refused(skladAs("rw", WRONG, "put", put, "/main/new.bin"), "wrong user name or password");
        refused(skladAs("nobody", WRONG, "rm", "/main/keep.bin"), "wrong user name or password");
        refused(skladAs("rw", WRONG, "login", "--master", master, "--user", "rw", "--profile",
                client.resolve("never.yaml").toString()), "wrong user name or password");
        assertThat(client.resolve("never.yaml")).doesNotExist();

        // an expired token: 'sklad login --ttl 15s' works for 15 seconds, then the master refuses it
        String shortLived = login("rw", "--ttl", "15s");
        long expires = expiresAtMillis(shortLived);
        assertThat(expires - System.currentTimeMillis()).as("the lifetime asked for").isBetween(1L, 15_000L);
        works(withProfile(shortLived, "ls", "/main"));
        Thread.sleep(Math.max(0, expires + 1_000 - System.currentTimeMillis()));
        refused(withProfile(shortLived, "put", put, "/main/new.bin"), "unknown, expired or revoked");

        // a revoked token (and a login without --ttl lives as long as 'sklad up --token-ttl 1h' says)
        String revoked = login("rw");
        assertThat(expiresAtMillis(revoked) - System.currentTimeMillis()).isBetween(3_500_000L, 3_600_000L);
        works(withProfile(revoked, "ls", "/main"));
        admin("user", "token", "revoke", "rw", "--all");
        refused(withProfile(revoked, "rm", "/main/keep.bin"), "unknown, expired or revoked");

        // a disabled user: its token dies at once, and it cannot log in again
        String gone = login("gone");
        works(withProfile(gone, "ls", "/main"));
        admin("user", "disable", "gone");
        refused(withProfile(gone, "put", put, "/main/new.bin"), "unknown, expired or revoked");
        refused(skladAs("gone", "gone-Pass1", "ls", "/main"), "wrong user name or password");

        // a volume not granted, also reached by climbing out of a granted one
        String outsider = login("outsider");
        assertThat(withProfile(outsider, "ls", "/other").stdout()).contains("o.bin");
        refused(withProfile(outsider, "put", put, "/main/new.bin"), "permission denied");
        refused(withProfile(outsider, "put", put, "/other/../main/new.bin"), "invalid name|permission denied");
        refused(withProfile(outsider, "get", "/main/keep.bin", client.resolve("stolen.bin").toString()),
                "permission denied");
        refused(withProfile(outsider, "mv", "/other/o.bin", "/main/o.bin"), "permission denied|across volumes");
        assertThat(client.resolve("stolen.bin")).doesNotExist();

        // a read-only user writing
        String reader = login("reader");
        CommandResult read = withProfile(reader, "get", "/main/keep.bin", client.resolve("read.bin").toString());
        assertThat(read.exitCode()).as(read.toString()).isZero();
        assertThat(RandomFiles.sha256(client.resolve("read.bin"))).isEqualTo(before.get("/main/keep.bin"));
        refused(withProfile(reader, "put", put, "/main/keep.bin"), "permission denied");
        refused(withProfile(reader, "put", put, "/main/new.bin"), "permission denied");
        refused(withProfile(reader, "rm", "/main/keep.bin"), "permission denied");
        refused(withProfile(reader, "mkdir", "/main/newdir"), "permission denied");
        refused(withProfile(reader, "mv", "/main/keep.bin", "/main/moved.bin"), "permission denied");

        assertThat(stored()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------- WebDAV

    @Test
    @Order(2)
    void webdavAnswers401And403AndChangesNothing() throws Exception {
        Map<String, String> before = stored();
        // no credentials, a wrong password, an unknown user, a disabled user
        for (String[] who : new String[][] {{null, null}, {"rw", WRONG}, {"nobody", WRONG}, {"off", "off-Pass1"}}) {
            String as = who[0] == null ? "no credentials" : who[0];
            assertThat(dav(who[0], who[1], "PUT", "/main/new.bin", small)).as(as).isEqualTo(401);
            assertThat(dav(who[0], who[1], "GET", "/main/keep.bin", null)).as(as).isEqualTo(401);
            assertThat(dav(who[0], who[1], "DELETE", "/main/keep.bin", null)).as(as).isEqualTo(401);
            assertThat(dav(who[0], who[1], "MKCOL", "/main/newdir", null)).as(as).isEqualTo(401);
        }

        // a user disabled while the agent remembers its login: refused at once (its token is revoked), then
        // at the next check with the master (at most 5 s later) refused at login
        assertThat(dav("wanda", "wanda-Pass1", "GET", "/main/keep.bin", null)).isEqualTo(200);
        long disabled = System.nanoTime();
        admin("user", "disable", "wanda");
        assertThat(dav("wanda", "wanda-Pass1", "PUT", "/main/new.bin", small)).isIn(401, 403);
        sleepUntil(disabled, Duration.ofSeconds(6));
        assertThat(dav("wanda", "wanda-Pass1", "PUT", "/main/new.bin", small)).isEqualTo(401);
        assertThat(dav("wanda", "wanda-Pass1", "DELETE", "/main/keep.bin", null)).isEqualTo(401);

        // a volume not granted, also by climbing out of a granted one (raw and percent-encoded dots)
        String op = "outsider-Pass1";
        assertThat(dav("outsider", op, "GET", "/other/o.bin", null)).isEqualTo(200);
        assertThat(dav("outsider", op, "PUT", "/main/new.bin", small)).isIn(403, 404, 409);
        assertThat(dav("outsider", op, "GET", "/main/keep.bin", null)).isIn(403, 404);
        assertThat(dav("outsider", op, "DELETE", "/main/keep.bin", null)).isIn(403, 404);
        assertThat(dav("outsider", op, "PUT", "/other/../main/new.bin", small)).isIn(400, 403, 404, 409);
        assertThat(dav("outsider", op, "PUT", "/other/%2e%2e/main/new.bin", small)).isIn(400, 403, 404, 409);
        assertThat(dav("outsider", op, "GET", "/other/%2e%2e/main/keep.bin", null)).isIn(400, 403, 404);
        assertThat(dav("outsider", op, "MOVE", "/other/o.bin", null, "Destination",
                "http://127.0.0.1:" + davPort + "/main/o.bin")).isIn(400, 403, 404, 409, 502);

        // a read-only user writing
        String rp = "reader-Pass1";
        assertThat(dav("reader", rp, "GET", "/main/keep.bin", null)).isEqualTo(200);
        assertThat(dav("reader", rp, "PUT", "/main/keep.bin", small)).isEqualTo(403);
        assertThat(dav("reader", rp, "PUT", "/main/new.bin", small)).isEqualTo(403);
        assertThat(dav("reader", rp, "DELETE", "/main/keep.bin", null)).isEqualTo(403);
        assertThat(dav("reader", rp, "MKCOL", "/main/newdir", null)).isEqualTo(403);
        assertThat(dav("reader", rp, "MOVE", "/main/keep.bin", null, "Destination",
                "http://127.0.0.1:" + davPort + "/main/moved.bin")).isEqualTo(403);
        assertThat(dav("reader", rp, "PROPPATCH", "/main/keep.bin", null)).isIn(400, 403);

        assertThat(stored()).isEqualTo(before);
        String log = up.output();
        assertThat(log).contains("failed login: user=rw address=127.0.1.").contains("method=basic entry=webdav")
                .contains("failed login: user=nobody");
        assertThat(log).as("passwords never reach the log").doesNotContain(WRONG).doesNotContain("off-Pass1");
    }

    // ------------------------------------------------------------------------------------------- SFTP

    @Test
    @Order(3)
    void sftpRefusesAtLoginOrWithPermissionDeniedAndChangesNothing() throws Exception {
        Map<String, String> before = stored();
        refusedAtLogin(sftp("rw", null, List.of(), "put small.bin /main/new.bin"));
        refusedAtLogin(sftp("rw", WRONG, List.of(), "put small.bin /main/new.bin"));
        refusedAtLogin(sftp("nobody", WRONG, List.of(), "ls /"));
        refusedAtLogin(sftp("off", "off-Pass1", List.of(), "rm /main/keep.bin"));

        // disabled between two sessions
        CommandResult first = sftp("sam", "sam-Pass1", List.of(), "ls /main");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        admin("user", "disable", "sam");
        refusedAtLogin(sftp("sam", "sam-Pass1", List.of(), "put small.bin /main/new.bin"));

        // a volume not granted, also by climbing out of a granted one
        CommandResult outsider = sftp("outsider", "outsider-Pass1", List.of(), "ls -1 /", "-put small.bin /main/new.bin",
                "-get /main/keep.bin stolen2.bin", "-rm /main/keep.bin", "-rename /other/o.bin /main/o.bin",
                "-put small.bin /other/../main/new2.bin", "-mkdir /main/newdir");
        assertThat(outsider.exitCode()).as(outsider.toString()).isZero();
        assertThat(outsider.stdout()).contains("/other").doesNotContain("/main\n");
        assertThat(count(outsider.stderr(), "Permission denied")).as(outsider.stderr()).isGreaterThanOrEqualTo(4);
        assertThat(client.resolve("stolen2.bin")).doesNotExist();

        // a read-only user writing
        CommandResult reader = sftp("reader", "reader-Pass1", List.of(), "get /main/keep.bin read2.bin",
                "-put small.bin /main/keep.bin", "-put small.bin /main/new.bin", "-rm /main/keep.bin",
                "-mkdir /main/newdir", "-rename /main/keep.bin /main/moved.bin");
        assertThat(reader.exitCode()).as(reader.toString()).isZero();
        assertThat(RandomFiles.sha256(client.resolve("read2.bin"))).isEqualTo(before.get("/main/keep.bin"));
        assertThat(count(reader.stderr(), "Permission denied")).as(reader.stderr()).isEqualTo(5);

        assertThat(stored()).isEqualTo(before);
        String log = up.output();
        assertThat(log).contains("failed login: user=rw address=127.0.1.").contains("method=password entry=sftp")
                .contains("failed login: user=sam");
        assertThat(log).doesNotContain(WRONG).doesNotContain("sam-Pass1");
    }

    // ------------------------------------------------------------------------------------------- all three

    @Test
    @Order(4)
    void aChangedPasswordRefusesTheOldOneEverywhere() throws Exception {
        String old = "pat-Pass1";
        String fresh = "pat-Pass2";
        String profile = login("pat");
        assertThat(dav("pat", old, "GET", "/main/keep.bin", null)).isEqualTo(200);
        assertThat(sftp("pat", old, List.of(), "ls /main").exitCode()).isZero();
        Map<String, String> before = stored();

        long changed = System.nanoTime();
        admin("user", "passwd", "pat", "--password", fresh);
        refused(withProfile(profile, "put", small.toString(), "/main/new.bin"), "unknown, expired or revoked");
        refused(skladAs("pat", old, "ls", "/main"), "wrong user name or password");
        refusedAtLogin(sftp("pat", old, List.of(), "put small.bin /main/new.bin"));
        assertThat(dav("pat", old, "PUT", "/main/new.bin", small)).isIn(401, 403);
        sleepUntil(changed, Duration.ofSeconds(6));
        assertThat(dav("pat", old, "PUT", "/main/new.bin", small)).isEqualTo(401);
        assertThat(stored()).isEqualTo(before);

        // the new one works on every entry point
        assertThat(skladAs("pat", fresh, "ls", "/main").stdout()).contains("keep.bin");
        assertThat(dav("pat", fresh, "GET", "/main/keep.bin", null)).isEqualTo(200);
        CommandResult ok = sftp("pat", fresh, List.of(), "ls /main");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Everything stored that a refused request could have touched: listings and SHA-256 of each file. */
    private Map<String, String> stored() throws IOException, InterruptedException {
        Map<String, String> tree = new LinkedHashMap<>();
        for (String d : DIRS) {
            tree.put("ls " + d, admin("ls", d));
        }
        for (String f : FILES) {
            Path local = client.resolve("check-" + f.replace('/', '_'));
            Files.deleteIfExists(local);
            admin("get", f, local.toString());
            tree.put(f, RandomFiles.sha256(local));
        }
        return tree;
    }

    /** A {@code sklad} command as admin (the profile {@code sklad up} wrote); must succeed. */
    private String admin(String... args) throws IOException, InterruptedException {
        CommandResult r = Commands.run(dir, Map.of(), 120, Commands.sklad(args));
        assertThat(r.exitCode()).as("sklad " + String.join(" ", args) + "\n" + r).isZero();
        return r.stdout();
    }

    /** A one-level {@code sklad} command ({@code put}, {@code ls} ...) with the login of a profile file. */
    private CommandResult withProfile(String profile, String command, String... args)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(command, "--profile", profile));
        full.addAll(List.of(args));
        return Commands.run(dir, Map.of(), 120, Commands.sklad(full.toArray(String[]::new)));
    }

    /** A {@code sklad} command with SKLAD_USER/SKLAD_PASSWORD and no profile's token. */
    private CommandResult skladAs(String user, String password, String... args) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(args));
        if (!full.contains("--master")) {
            full.addAll(1, List.of("--master", master));
        }
        return Commands.run(dir, Map.of("SKLAD_USER", user, "SKLAD_PASSWORD", password), 120,
                Commands.sklad(full.toArray(String[]::new)));
    }

    /** {@code sklad login} as {@code user} into a profile of its own; returns the profile's path. */
    private String login(String user, String... extra) throws IOException, InterruptedException {
        Path profile = client.resolve(user + "-" + System.nanoTime() + ".yaml");
        List<String> args = new ArrayList<>(List.of("login", "--master", master, "--user", user, "--profile",
                profile.toString()));
        args.addAll(List.of(extra));
        CommandResult r = Commands.run(dir, Map.of("SKLAD_PASSWORD", user + "-Pass1"), 120,
                Commands.sklad(args.toArray(String[]::new)));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return profile.toString();
    }

    private static long expiresAtMillis(String profile) throws IOException {
        for (String line : Files.readAllLines(Path.of(profile))) {
            if (line.startsWith("expiresAtMillis:")) {
                return Long.parseLong(line.substring("expiresAtMillis:".length()).trim());
            }
        }
        throw new AssertionError("no expiresAtMillis in " + profile);
    }

    /** A profile file pointing at the master with the given token. */
    private String profile(String name, String token) throws IOException {
        Path p = client.resolve(name + ".yaml");
        Files.writeString(p, "master: '" + master + "'\nuser: rw\ntoken: '" + token + "'\nexpiresAtMillis: 0\n");
        return p.toString();
    }

    private static void works(CommandResult r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    /** The command failed, saying why in one line on stderr; {@code why} is a regular expression, any case. */
    private static void refused(CommandResult r, String why) {
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr().toLowerCase(java.util.Locale.ROOT)).as(r.toString())
                .containsPattern(java.util.regex.Pattern.compile(why.toLowerCase(java.util.Locale.ROOT)));
        assertThat(r.stderr()).as("one line, no stack trace").doesNotContain("\tat ");
    }

    private String nextSource() {
        return "127.0.1." + sources.getAndIncrement();
    }

    /** curl's status code for one request, from a fresh loopback address; {@code user} null = no credentials. */
    private int dav(String user, String password, String method, String path, Path body, String... headers)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--path-as-is", "--max-time", "60", "--interface", nextSource(), "-X", method));
        Map<String, String> env = new HashMap<>();
        if (user != null) {
            // from a file, so the password shows neither in the process list nor in a failure message
            Path netrc = Files.writeString(client.resolve("netrc"), "machine 127.0.0.1 login " + user + " password "
                    + password + "\n");
            cmd.addAll(List.of("--netrc-file", netrc.toString()));
        }
        if (body != null) {
            cmd.addAll(List.of("--data-binary", "@" + body));
        }
        for (int i = 0; i < headers.length; i += 2) {
            cmd.addAll(List.of("-H", headers[i] + ": " + headers[i + 1]));
        }
        cmd.add("http://127.0.0.1:" + davPort + path);
        CommandResult r = Commands.run(client, env, 90, cmd);
        try {
            return Integer.parseInt(r.stdout().trim());
        } catch (NumberFormatException e) {
            throw new AssertionError("curl " + method + " " + path + ": " + r, e);
        }
    }

    /**
     * {@code sftp -b} from a fresh loopback address, password through {@code sshpass -e} ({@code password} null:
     * a client that offers no credentials at all).
     */
    private CommandResult sftp(String user, String password, List<String> extra, String... commands)
            throws IOException, InterruptedException {
        Path batch = Files.createTempFile(client, "batch", ".txt");
        Files.writeString(batch, String.join("\n", commands) + "\n");
        List<String> cmd = new ArrayList<>();
        if (password != null) {
            cmd.addAll(List.of("sshpass", "-e"));
        }
        cmd.addAll(List.of("sftp", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "-o",
                "IdentityAgent=none", "-o", "PubkeyAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
                "-o", "BindAddress=" + nextSource()));
        if (password != null) {
            // sftp -b turns batch mode on, which would forbid the password prompt sshpass answers
            cmd.addAll(List.of("-o", "BatchMode=no", "-o", "PreferredAuthentications=password", "-o",
                    "NumberOfPasswordPrompts=1"));
        } else {
            cmd.addAll(List.of("-o", "BatchMode=yes", "-o", "PasswordAuthentication=no"));
        }
        cmd.addAll(extra);
        cmd.addAll(List.of("-P", Integer.toString(sftpPort), "-b", batch.toString(), user + "@127.0.0.1"));
        Map<String, String> env = password == null ? Map.of() : Map.of("SSHPASS", password);
        try {
            return Commands.run(client, env, 120, cmd);
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    private static void refusedAtLogin(CommandResult r) {
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).as(r.toString()).contains("Permission denied (publickey,password)");
        assertThat(r.stdout()).as("no command ran").doesNotContain("sftp>");
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    private static void sleepUntil(long startNanos, Duration after) throws InterruptedException {
        long left = startNanos + after.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000 + 1);
        }
    }

    /** Skips when {@code tool} is missing; fails when {@code CI=true}, where every client must be there. */
    private static void requireTool(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(tool + " is required on CI but is not installed");
        }
        Assumptions.abort(tool + " is not installed");
    }
}
