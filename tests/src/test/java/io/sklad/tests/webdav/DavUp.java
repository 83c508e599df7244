package io.sklad.tests.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.SkladProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One real {@code sklad up} (master, 3 workers, agent with WebDAV; no FUSE, no SFTP) on ephemeral ports,
 * with the WebDAV port it printed and the {@code sklad} client commands run from its directory.
 */
final class DavUp implements AutoCloseable {

    static final String USER = "admin";
    static final String PASSWORD = "Dav-Admin-pass1";

    private final Path dir;
    private final SkladProcess up;
    private final int port;
    private final int sftpPort;

    private DavUp(Path dir, SkladProcess up, int port, int sftpPort) {
        this.dir = dir;
        this.up = up;
        this.port = port;
        this.sftpPort = sftpPort;
    }

    static DavUp start(Path dir) throws Exception {
        return start(dir, false);
    }

    /** With {@code sftp}, the agent also serves SFTP ({@link #sftpPort()}) to the same users. */
    static DavUp start(Path dir, boolean sftp) throws Exception {
        SkladProcess up = sftp
                ? SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0", "--no-fuse")
                : SkladProcess.start("up", dir, Map.of("SKLAD_ADMIN_PASSWORD", PASSWORD),
                "up", "--workers", "3", "--master-port", "0", "--webdav-port", "0", "--sftp-port", "0",
                "--no-fuse", "--no-sftp");
        try {
            up.awaitOutput("Sklad is up", Duration.ofSeconds(120));
            String port = up.awaitOutput("webdav:\\s+http://127\\.0\\.0\\.1:(\\d+)/main/", Duration.ofSeconds(5));
            int sftpPort = sftp ? Integer.parseInt(up.awaitOutput("sftp:\\s+sftp -P (\\d+)", Duration.ofSeconds(5))) : -1;
            return new DavUp(dir, up, Integer.parseInt(port), sftpPort);
        } catch (Throwable t) {
            up.close();
            throw t;
        }
    }

    Path dir() {
        return dir;
    }

    SkladProcess process() {
        return up;
    }

    int port() {
        return port;
    }

    /** The SFTP port, when started with SFTP. */
    int sftpPort() {
        return sftpPort;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path} (which starts with a slash). */
    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    DavClient client() {
        return new DavClient("http://127.0.0.1:" + port, USER, PASSWORD);
    }

    CommandResult sklad(String... args) throws Exception {
        return Commands.run(dir, Map.of(), 300, Commands.sklad(args));
    }

    CommandResult ok(String... args) throws Exception {
        CommandResult r = sklad(args);
        assertThat(r.exitCode()).as("sklad " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    @Override
    public void close() throws Exception {
        if (up.isAlive()) {
            assertThat(up.stop()).as(up.output()).isIn(0, 130, 143);
        }
    }
}
