package io.sklad.tests.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short-lived external commands (sklad client calls, cp, sha256sum ...) with a time limit. */
public final class Commands {

    private Commands() {
    }

    public static CommandResult run(Path workDir, Map<String, String> env, long timeoutSeconds, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new CommandResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs {@code sh -c script} in workDir. */
    public static CommandResult shell(Path workDir, long timeoutSeconds, String script) throws IOException, InterruptedException {
        return run(workDir, Map.of(), timeoutSeconds, List.of("sh", "-c", script));
    }

    /** Commands that move file data or serve for long: these get the optimising JIT (as in the launcher). */
    private static final java.util.Set<String> LONG_RUNNING =
            java.util.Set.of("put", "get", "up", "master", "worker", "mount", "webdav", "sftp");

    /**
     * The java command line that runs the jar under test with the given arguments, with the JVM flags the
     * {@code ./sklad} launcher uses: a short command (ls, stat, login, user …) runs on the quick JIT only,
     * which halves its CPU time; data and server commands keep the optimising one.
     */
    public static List<String> sklad(String... args) {
        List<String> cmd = new ArrayList<>(List.of(SkladJar.java(), "-Xmx512m"));
        cmd.addAll(ClassDataArchive.jvmFlags());
        if (args.length == 0 || !LONG_RUNNING.contains(args[0])) {
            cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        cmd.addAll(List.of("-jar", SkladJar.path().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
