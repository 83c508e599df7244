package io.sklad.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the litmus WebDAV compliance suites against a real server and requires every test to pass.
 * Warnings are allowed; they are printed to the test output.
 */
class LitmusTest {

    private static final Pattern SUMMARY = Pattern.compile(
            "<- summary for `(\\w+)': of (\\d+) tests run: (\\d+) passed, (\\d+) failed\\. ([\\d.]+)%");
    private static final Pattern WARNINGS = Pattern.compile("-> (\\d+) warnings? (?:was|were) issued\\.");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"basic", "copymove", "props", "locks", "http"})
    void suitePassesCompletely(String suite) throws Exception {
        Path litmus = Path.of("/usr/bin/litmus");
        if (!Files.isExecutable(litmus)) {
            if (DavFixture.mustHaveTools()) {
                fail("litmus is not installed (apt-get install litmus)");
            }
            assumeTrue(false, "litmus not installed");
        }
        try (DavFixture dav = new DavFixture(dir)) {
            ProcessBuilder pb = new ProcessBuilder(litmus.toString(), dav.url(), DavFixture.USER, DavFixture.PASS)
                    .redirectErrorStream(true)
                    .directory(dir.toFile());
            pb.environment().put("TESTS", suite);
            pb.environment().put("TESTROOT", "/usr/libexec/litmus");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            System.out.println(out);
            Matcher m = SUMMARY.matcher(out);
            List<String> failed = new ArrayList<>();
            int suites = 0;
            while (m.find()) {
                suites++;
                if (!m.group(4).equals("0")) {
                    failed.add(m.group(0));
                }
            }
            assertThat(suites).as("litmus summary lines in:\n%s", out).isEqualTo(1);
            assertThat(failed).as("failed litmus tests:\n%s", out).isEmpty();
            assertThat(out).doesNotContain("FAIL");
            Matcher w = WARNINGS.matcher(out);
            if (w.find()) {
                System.out.println("litmus " + suite + ": " + w.group(1) + " warning(s)");
            }
        }
    }
}
