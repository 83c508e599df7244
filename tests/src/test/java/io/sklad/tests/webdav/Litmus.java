package io.sklad.tests.webdav;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs one litmus suite (Debian package {@code litmus}) against a URL and parses what each test did. */
final class Litmus {

    static final String BINARY = "/usr/bin/litmus";

    /** One test's line: number, name, "pass", "FAIL" or "SKIPPED", and the rest of the line. */
    record Outcome(int number, String name, String result, String detail) {
    }

    record Run(String suite, String output, int run, int passed, int failed, int warnings, List<Outcome> outcomes) {

        List<Outcome> failures() {
            return outcomes.stream().filter(o -> o.result().equals("FAIL")).toList();
        }
    }

    private static final Pattern SUMMARY = Pattern.compile(
            "<- summary for `(\\w+)': of (\\d+) tests run: (\\d+) passed, (\\d+) failed\\.");
    private static final Pattern WARNINGS = Pattern.compile("-> (\\d+) warnings? (?:was|were) issued\\.");
    // Without a terminal litmus prints "N. name....." twice per test, the result after the second.
    private static final Pattern OUTCOME = Pattern.compile("(\\d+)\\. (\\w+)\\.+ (pass|FAIL|SKIPPED)([^\\n]*)");

    private Litmus() {
    }

    static Run run(String suite, String url, String user, String password, Path workDir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(BINARY, url, user, password).redirectErrorStream(true)
                .directory(workDir.toFile());
        pb.environment().put("TESTS", suite);
        pb.environment().put("TESTROOT", "/usr/libexec/litmus");
        Path log = workDir.resolve("litmus-" + suite + ".out");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("litmus " + suite + " did not finish in 150 s:\n" + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out);
        Matcher s = SUMMARY.matcher(out);
        if (!s.find()) {
            throw new AssertionError("no litmus summary for " + suite + " in:\n" + out);
        }
        Matcher w = WARNINGS.matcher(out);
        int warnings = w.find() ? Integer.parseInt(w.group(1)) : 0;
        List<Outcome> outcomes = new ArrayList<>();
        Matcher o = OUTCOME.matcher(out);
        while (o.find()) {
            outcomes.add(new Outcome(Integer.parseInt(o.group(1)), o.group(2), o.group(3), o.group(4).trim()));
        }
        return new Run(suite, out, Integer.parseInt(s.group(2)), Integer.parseInt(s.group(3)),
                Integer.parseInt(s.group(4)), warnings, outcomes);
    }
}
