package io.sklad.tests.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the FUSE end-to-end tests need from the machine: FUSE itself and the real programs they drive,
 * the kernel's mount table, and a way to clear a mount a test left behind. A missing tool skips the test
 * locally and fails it on CI ({@code CI=true}).
 */
final class FuseHost {

    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib/aarch64-linux-gnu"),
            Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"),
            Path.of("/lib"), Path.of("/usr/lib"));

    private FuseHost() {
    }

    static boolean onCi() {
        return "true".equals(System.getenv("CI"));
    }

    /** Skips (locally) or fails (on CI) unless the condition holds. */
    static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if (onCi()) {
            Assertions.fail("CI=true but " + what);
        }
        Assumptions.abort(what + " (skipped: not on CI)");
    }

    /** /dev/fuse, libfuse.so.2 (Debian libfuse2) and a way to unmount (root, or fusermount). */
    static void requireFuse() throws Exception {
        require(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing (modprobe fuse; in a container --device /dev/fuse)");
        boolean libfuse2 = LIBRARY_DIRS.stream().anyMatch(d -> Files.exists(d.resolve("libfuse.so.2")));
        require(libfuse2, "libfuse.so.2 is missing (apt-get install libfuse2)");
        requireTools("fusermount");
    }

    /** Every program on the PATH. */
    static void requireTools(String... programs) throws Exception {
        for (String program : programs) {
            CommandResult r = Commands.run(Path.of("/"), Map.of(), 10, List.of("sh", "-c", "command -v " + program));
            require(r.ok(), program + " is not installed");
        }
    }

    /** {@code sh -c script} in dir; the caller looks at the result. */
    static CommandResult sh(Path dir, long timeoutSeconds, String script) throws Exception {
        return Commands.run(dir, Map.of("LC_ALL", "C.UTF-8"), timeoutSeconds, List.of("sh", "-c", script));
    }

    /** {@code sh -c script} in dir, which must succeed; returns its stdout. */
    static String ok(Path dir, long timeoutSeconds, String script) throws Exception {
        CommandResult r = sh(dir, timeoutSeconds, script);
        assertThat(r.exitCode()).as(script + "\n" + r).isZero();
        return r.stdout();
    }

    /** The warnings and errors a sklad process logged, for a failure message (never its whole output). */
    static String problems(io.sklad.tests.harness.SkladProcess process) {
        List<String> lines = process.output().lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Caused by") || l.startsWith("java."))
                .toList();
        return "\n--- warnings of the sklad process (last 40)\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The type of the mount at exactly this path ({@code fuse.sklad}), or null when nothing is mounted there. */
    static String mountType(Path mountPoint) throws IOException {
        String where = mountPoint.toAbsolutePath().normalize().toString();
        String found = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 0 && dash + 1 < f.length && unescape(f[4]).equals(where)) {
                found = f[dash + 1];
            }
        }
        return found;
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        return mountType(mountPoint) != null;
    }

    static void awaitMounted(Path mountPoint, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!"fuse.sklad".equals(mountType(mountPoint))) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("no sklad FUSE mount at " + mountPoint + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    static void awaitUnmounted(Path mountPoint, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isMounted(mountPoint)) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("still mounted at " + mountPoint + " after " + timeout + ": " + mountType(mountPoint));
            }
            Thread.sleep(100);
        }
    }

    /** Clean-up after a test: unmounts whatever is still mounted there (lazily when busy or stale). */
    static void forceUnmount(Path mountPoint) throws Exception {
        if (mountPoint == null) {
            return;
        }
        List<List<String>> attempts = new ArrayList<>(List.of(
                List.of("fusermount", "-u", mountPoint.toString()),
                List.of("umount", mountPoint.toString()),
                List.of("umount", "-l", mountPoint.toString())));
        for (List<String> command : attempts) {
            if (!isMounted(mountPoint)) {
                return;
            }
            try {
                Commands.run(Path.of("/"), Map.of(), 20, command);
            } catch (IOException | AssertionError e) {
                // tool missing or hung: try the next way
            }
        }
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
