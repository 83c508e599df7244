package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** External clients the tests drive: missing ones skip the test locally and fail it in CI (CI=true). */
final class Tools {

    private Tools() {
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** Fails (CI) or skips (locally) with {@code why} unless {@code ok}. */
    static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (ci()) {
            fail(why);
        }
        Assumptions.assumeTrue(false, why);
    }

    static void requireExecutable(String path, String debianPackage) {
        require(Files.isExecutable(Path.of(path)), path + " is missing (apt-get install " + debianPackage + ")");
    }
}
