package io.sklad.tests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A class-data-sharing archive of the jar under test, dumped once per test run and handed to every
 * {@code sklad} JVM the suite starts. The suite starts a few hundred of them, and with the archive a
 * short command starts on about half the CPU (`sklad ls`: 1.45 s → 0.8 s here), so CI time drops where
 * it is spent on start-ups. JDK 17 has no automatic archive, hence this dump; the archive sits next to
 * the jar and is dumped anew when the jar is newer.
 */
public final class ClassDataArchive {

    private static Path archive;
    private static boolean dumped;

    private ClassDataArchive() {
    }

    /** The JVM flags that use the archive, or none when it could not be dumped (the JVM then loads as usual). */
    public static synchronized List<String> jvmFlags() {
        if (!dumped) {
            dumped = true;
            archive = dump(SkladJar.path());
        }
        return archive == null ? List.of() : List.of("-XX:SharedArchiveFile=" + archive);
    }

    private static Path dump(Path jar) {
        Path target = jar.resolveSibling("sklad-tests.jsa");
        try {
            if (Files.isRegularFile(target)
                    && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return target;
            }
            Path dir = Files.createTempDirectory("sklad-cds");
            Path partial = dir.resolve("sklad.jsa");
            // a listing against no master runs the start-up every command shares (picocli, profile, gRPC and
            // netty up to the connect), which is what the archive is for; its failure is expected
            List<String> cmd = new ArrayList<>(List.of(SkladJar.java(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-XX:ArchiveClassesAtExit=" + partial, "-jar", jar.toString(), "ls", "/"));
            Commands.run(dir, Map.of("HOME", dir.toString()), 120, cmd);
            if (!Files.isRegularFile(partial)) {
                System.err.println("class-data archive not dumped; sklad JVMs start without it");
                return null;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            System.err.println("class-data archive not dumped (" + e + "); sklad JVMs start without it");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
