package io.sklad.sftp;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Runs the real OpenSSH clients (sftp, scp, sshfs, ssh-keygen) against a test server. */
final class OpenSsh {

    /** What a finished client process left. */
    record Result(int exitCode, String stdout, String stderr, Duration took) {
        String all() {
            return stdout + stderr;
        }
    }

    private static final List<String> COMMON = List.of("-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10");

    private OpenSsh() {
    }

    /** Skips the test when {@code tool} is missing, but fails it on CI, where every client must be present. */
    static void requireTool(String tool) {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                present = true;
                break;
            }
        }
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(tool + " is required on CI but not installed");
            }
            Assumptions.abort(tool + " not installed");
        }
    }

    /** Options that log in with a password through sshpass (sftp -b implies BatchMode, which forbids it). */
    static List<String> passwordLogin() {
        List<String> opts = new ArrayList<>(COMMON);
        opts.addAll(List.of("-o", "BatchMode=no", "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1"));
        return opts;
    }

    /** Options that log in with exactly this private key. */
    static List<String> keyLogin(Path privateKey) {
        List<String> opts = new ArrayList<>(COMMON);
        opts.addAll(List.of("-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
                "-o", "PreferredAuthentications=publickey", "-i", privateKey.toString()));
        return opts;
    }

    static List<String> withPassword(String password, List<String> command) {
        List<String> full = new ArrayList<>(List.of("sshpass", "-p", password));
        full.addAll(command);
        return full;
    }

    /** {@code sftp -b batch} as {@code user}, with the given login options. */
    static Result sftpBatch(int port, String user, List<String> login, String password, Path workDir,
            String... commands) throws IOException, InterruptedException {
        requireTool("sftp");
        Path batch = Files.createTempFile(workDir, "batch", ".txt");
        Files.writeString(batch, String.join("\n", commands) + "\n");
        List<String> cmd = new ArrayList<>(List.of("sftp"));
        cmd.addAll(login);
        cmd.addAll(List.of("-P", Integer.toString(port), "-b", batch.toString(), user + "@127.0.0.1"));
        if (password != null) {
            requireTool("sshpass");
            cmd = withPassword(password, cmd);
        }
        return run(workDir, cmd, Duration.ofMinutes(2));
    }

    static Result run(Path workDir, List<String> command, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().remove("SSH_AUTH_SOCK"); // the test decides which keys are offered
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new File("/dev/null")));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Result result = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), took);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return result;
    }

    /**
     * A new passwordless ECDSA key pair; returns the private key file ({@code .pub} beside it). Ed25519 would
     * need an EdDSA provider (BouncyCastle or net.i2p) on the server's classpath, which MINA 2.19 lacks here.
     */
    static Path keygen(Path dir, String name) throws IOException, InterruptedException {
        requireTool("ssh-keygen");
        Path key = dir.resolve(name);
        Result r = run(dir, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()),
                Duration.ofSeconds(30));
        if (r.exitCode() != 0) {
            fail("ssh-keygen failed: " + r.all());
        }
        return key;
    }
}
