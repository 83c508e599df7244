package io.sklad.tests.sftp;

import static org.assertj.core.api.Assertions.fail;

import io.sklad.tests.harness.CommandResult;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real OpenSSH clients ({@code sftp}, {@code scp}, {@code ssh-keygen}) and {@code sshfs} against one SFTP
 * endpoint on 127.0.0.1. No config file, no agent, no known_hosts: each test decides what is offered.
 */
final class SshClients {

    /** A finished client: what {@link io.sklad.tests.harness.Commands} returns, plus how long it took. */
    record Run(CommandResult result, Duration took) {
        int exitCode() {
            return result.exitCode();
        }

        String stdout() {
            return result.stdout();
        }

        String stderr() {
            return result.stderr();
        }

        String all() {
            return result.toString();
        }
    }

    private static final List<String> COMMON = List.of("-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=20", "-o", "IdentityAgent=none");

    private final int port;
    private final Path workDir;

    SshClients(int port, Path workDir) {
        this.port = port;
        this.workDir = workDir;
    }

    int port() {
        return port;
    }

    /** Skips the test when {@code tool} is missing; fails it when {@code CI=true}, where every client must be there. */
    static void requireTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(tool + " is required on CI but is not installed");
        }
        Assumptions.abort(tool + " is not installed");
    }

    /** Password login through sshpass; {@code -o BatchMode=no} because {@code sftp -b} turns batch mode on. */
    static List<String> passwordLogin() {
        List<String> o = new ArrayList<>(COMMON);
        o.addAll(List.of("-o", "BatchMode=no", "-o", "PubkeyAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1"));
        return o;
    }

    /** A client that offers no credentials at all: no keys, no agent, and it may not ask for a password. */
    static List<String> noCredentials() {
        List<String> o = new ArrayList<>(COMMON);
        o.addAll(List.of("-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no"));
        return o;
    }

    /** Public-key login with exactly this private key, never a password. */
    static List<String> keyLogin(Path privateKey) {
        List<String> o = new ArrayList<>(COMMON);
        o.addAll(List.of("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no", "-o", "PreferredAuthentications=publickey",
                "-i", privateKey.toString()));
        return o;
    }

    /** {@code sftp -b} with the commands as the batch file; {@code password} null = no sshpass. */
    Run sftp(String user, String password, List<String> login, Duration timeout, String... commands)
            throws IOException, InterruptedException {
        return sftpWith(user, password, login, List.of(), timeout, commands);
    }

    /** As {@link #sftp} with extra client options (e.g. {@code -l} to limit the rate). */
    Run sftpWith(String user, String password, List<String> login, List<String> extra, Duration timeout,
            String... commands) throws IOException, InterruptedException {
        requireTool("sftp");
        Path batch = Files.createTempFile(workDir, "batch", ".txt");
        Files.writeString(batch, String.join("\n", commands) + "\n");
        List<String> cmd = new ArrayList<>(List.of("sftp"));
        cmd.addAll(login);
        cmd.addAll(extra);
        cmd.addAll(List.of("-P", Integer.toString(port), "-b", batch.toString(), user + "@127.0.0.1"));
        try {
            return run(withPassword(password, cmd), env(password), null, timeout);
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    /** {@code scp -p [-O] [-r] FROM TO} with a password login; remote names are {@code user@127.0.0.1:PATH}. */
    Run scp(String password, boolean legacy, boolean recursive, String from, String to)
            throws IOException, InterruptedException {
        requireTool("scp");
        List<String> cmd = new ArrayList<>(List.of("scp"));
        if (legacy) {
            cmd.add("-O");
        }
        if (recursive) {
            cmd.add("-r");
        }
        cmd.add("-p");
        cmd.addAll(passwordLogin());
        cmd.addAll(List.of("-P", Integer.toString(port), from, to));
        return run(withPassword(password, cmd), env(password), null, Duration.ofMinutes(3));
    }

    /** Mounts {@code remotePath} at {@code mountPoint} with sshfs, the password given on stdin. */
    Run sshfsMount(String user, String password, String remotePath, Path mountPoint)
            throws IOException, InterruptedException {
        requireTool("sshfs");
        requireTool("fusermount");
        List<String> cmd = new ArrayList<>(List.of("sshfs", "-F", "/dev/null", "-p", Integer.toString(port),
                "-o", "password_stdin", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                "-o", "IdentityAgent=none", "-o", "LogLevel=ERROR",
                user + "@127.0.0.1:" + remotePath, mountPoint.toString()));
        return run(cmd, Map.of(), password + "\n", Duration.ofSeconds(60));
    }

    /** Unmounts (lazily if it is busy or the server is gone); safe to call when nothing is mounted. */
    void unmount(Path mountPoint) throws IOException, InterruptedException {
        Run r = run(List.of("fusermount", "-u", mountPoint.toString()), Map.of(), null, Duration.ofSeconds(30));
        if (r.exitCode() != 0 && isMounted(mountPoint)) {
            run(List.of("umount", "-l", mountPoint.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        String target = " " + mountPoint.toAbsolutePath() + " ";
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(target));
    }

    /** A new passwordless ed25519 key pair in the work directory; returns the private key ({@code .pub} beside it). */
    Path keygen(String name) throws IOException, InterruptedException {
        requireTool("ssh-keygen");
        Path key = workDir.resolve(name);
        Run r = run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()), Map.of(),
                null, Duration.ofSeconds(30));
        if (r.exitCode() != 0) {
            fail("ssh-keygen failed: " + r.all());
        }
        return key;
    }

    private static List<String> withPassword(String password, List<String> command) {
        if (password == null) {
            return command;
        }
        requireTool("sshpass");
        // -e: the password comes from the environment, so it does not show in the process list
        List<String> full = new ArrayList<>(List.of("sshpass", "-e"));
        full.addAll(command);
        return full;
    }

    private static Map<String, String> env(String password) {
        return password == null ? Map.of() : Map.of("SSHPASS", password);
    }

    /** Runs a command in the work directory with extra environment and optional stdin text. */
    Run run(List<String> command, Map<String, String> env, String stdin, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("SSH_AUTH_SOCK");
        pb.environment().putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("timed out after " + timeout + ": " + command + "\n" + Files.readString(err));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Run(new CommandResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8)), took);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
