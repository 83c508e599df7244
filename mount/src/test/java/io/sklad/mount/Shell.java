package io.sklad.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real programs with a timeout; output goes to files so no pipe can fill up. */
final class Shell {

    /** What a finished program left behind. */
    record Result(int exit, String out, String err) {
    }

    private final Path scratch;

    Shell(Path scratch) {
        this.scratch = scratch;
    }

    Result run(Duration timeout, Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /** Runs a program that must succeed; returns its standard output. */
    String ok(Path dir, String... command) throws IOException, InterruptedException {
        Result result = run(Duration.ofSeconds(60), dir, command);
        assertThat(result.exit()).as("%s failed: %s", String.join(" ", command), result.err()).isZero();
        return result.out();
    }

    /** Runs {@code sh -c script} that must succeed. */
    String sh(Path dir, String script) throws IOException, InterruptedException {
        return ok(dir, "sh", "-c", script);
    }

    /** Runs a program that must fail; returns its standard error. */
    String fails(Path dir, String... command) throws IOException, InterruptedException {
        Result result = run(Duration.ofSeconds(30), dir, command);
        assertThat(result.exit()).as("%s should have failed", String.join(" ", command)).isNotZero();
        return result.err();
    }
}
