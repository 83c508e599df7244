package io.sklad.tests.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the runnable jar under test is: -Dsklad.jar (set by failsafe) or cli/target/sklad.jar. */
public final class SkladJar {

    private SkladJar() {
    }

    public static Path path() {
        String prop = System.getProperty("sklad.jar");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "cli", "target", "sklad.jar");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("sklad.jar not found at " + p.toAbsolutePath() + ": run 'mvn -B verify' from the root");
        }
        return p.toAbsolutePath().normalize();
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
