package io.sklad.tests.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.ClassDataArchive;
import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.SkladJar;
import io.sklad.tests.harness.SkladProcess;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One real {@code sklad up} (master, 3 workers, the agent with SFTP; no FUSE, no WebDAV) and, beside it, the
 * {@link Inspector}: a separate agent logged in as admin, in its own JVM on the jar under test, that plants
 * and checks what is stored without going through the SFTP endpoint.
 */
final class SkladUp implements AutoCloseable {

    static final String ADMIN_PASSWORD = "s3cret-Admin";

    private final SkladProcess process;
    private final Path dir;
    private final int sftpPort;

    private SkladUp(SkladProcess process, Path dir, int sftpPort) {
        this.process = process;
        this.dir = dir;
        this.sftpPort = sftpPort;
    }

    static SkladUp start(Path dir) throws IOException, InterruptedException {
        SkladProcess p = SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", ADMIN_PASSWORD),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0",
                "--no-fuse", "--no-webdav");
        try {
            p.awaitOutput("Sklad is up", Duration.ofSeconds(120));
            int port = Integer.parseInt(p.awaitOutput("sftp:\\s+sftp -P (\\d+)", Duration.ofSeconds(5)));
            return new SkladUp(p, dir, port);
        } catch (RuntimeException | Error | InterruptedException e) {
            p.stop();
            throw e;
        }
    }

    int sftpPort() {
        return sftpPort;
    }

    SkladProcess process() {
        return process;
    }

    String output() {
        return process.output();
    }

    /** The last lines {@code sklad up} printed, for assertion messages. */
    String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Runs a {@code sklad} client command (profile of this {@code sklad up}, logged in as admin); must succeed. */
    String sklad(String... args) throws IOException, InterruptedException {
        CommandResult r = Commands.run(dir, Map.of(), 120, Commands.sklad(args));
        assertThat(r.exitCode()).as("sklad " + String.join(" ", args) + "\n" + r).isZero();
        return r.stdout();
    }

    /** Runs {@link Inspector} commands (one per argument) and returns the lines they answered. */
    List<String> inspect(String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SkladJar.java(), "-Xmx256m"));
        cmd.addAll(ClassDataArchive.jvmFlags());
        cmd.addAll(List.of("-cp", SkladJar.path() + File.pathSeparator + testClasses(), Inspector.class.getName(),
                dir.resolve("sklad-data").toAbsolutePath().toString()));
        cmd.addAll(List.of(commands));
        CommandResult r = Commands.run(dir, Map.of("SKLAD_ADMIN_PASSWORD", ADMIN_PASSWORD), 300, cmd);
        assertThat(r.exitCode()).as("inspector " + List.of(commands) + "\n" + r).isZero();
        return r.stdout().lines().filter(l -> l.startsWith(Inspector.OUT))
                .map(l -> l.substring(Inspector.OUT.length())).toList();
    }

    /** The one answer of a single query command. */
    String query(String command) throws IOException, InterruptedException {
        List<String> lines = inspect(command);
        assertThat(lines).as(command).hasSize(1);
        return lines.get(0);
    }

    /** Everything stored, as {@link StoredTree} describes it. */
    Map<String, String> tree() throws IOException, InterruptedException {
        Map<String, String> tree = new TreeMap<>();
        for (String line : inspect("tree")) {
            int tab = line.indexOf('\t');
            tree.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return tree;
    }

    private static String testClasses() {
        try {
            return Path.of(Inspector.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops {@code sklad up} (SIGTERM, clean shutdown), keeps its log under target/, returns its exit code. */
    int stop(String name) throws IOException, InterruptedException {
        int exit = process.stop();
        Path logs = Files.createDirectories(Path.of("target", "sftp-it-logs"));
        Files.copy(dir.resolve("up.log"), logs.resolve(name + "-up.log"), StandardCopyOption.REPLACE_EXISTING);
        return exit;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.stop();
        }
    }
}
