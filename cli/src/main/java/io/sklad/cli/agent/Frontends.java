package io.sklad.cli.agent;

import io.sklad.mount.FuseMount;
import io.sklad.mount.MountOptions;
import io.sklad.sftp.SftpConfig;
import io.sklad.sftp.SftpRealm;
import io.sklad.sftp.SftpServer;
import io.sklad.sftp.SftpSession;
import io.sklad.webdav.DavRealm;
import io.sklad.webdav.WebDavConfig;
import io.sklad.webdav.WebDavServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;

/** Starts the agent's drives over the user sessions: WebDAV, SFTP/SCP and a FUSE mount. */
public final class Frontends {

    private Frontends() {
    }

    public static WebDavServer webdav(String host, int port, AgentSessions sessions, boolean allowPlainRemote)
            throws IOException {
        DavRealm realm = (user, password) -> sessions.login(user, password).map(fs -> fs.getPath("/"));
        WebDavServer server = new WebDavServer(new WebDavConfig(host, port, "", null, null, allowPlainRemote, null), realm);
        server.start();
        return server;
    }

    public static SftpServer sftp(String host, int port, Path hostKey, AgentSessions sessions) throws IOException {
        SftpRealm realm = new SftpRealm() {
            @Override
            public Optional<SftpSession> authenticatePassword(String user, String password) {
                return sessions.loginNewSession(user, password).map(fs -> SftpSession.readWrite(fs.getPath("/")));
            }

            @Override
            public Optional<SftpSession> authenticateKey(String user, PublicKey key) {
                // MINA has checked the client's signature by now; the master checks the key is the user's
                return sessions.loginWithKey(user, org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key))
                        .map(fs -> SftpSession.readWrite(fs.getPath("/")));
            }
        };
        Files.createDirectories(hostKey.toAbsolutePath().getParent());
        SftpServer server = new SftpServer(new SftpConfig(host, port, hostKey, Duration.ofMinutes(10), 5), realm);
        server.start();
        return server;
    }

    /** Mounts {@code root} at {@code mountPoint} (created if missing). */
    public static FuseMount fuse(Path root, Path mountPoint, MountOptions options) throws IOException {
        try {
            Files.createDirectories(mountPoint);
        } catch (java.nio.file.FileAlreadyExistsException staleOrFile) {
            // a stale mount left by a killed agent answers stat with ENOTCONN, so it looks absent and then
            // exists: FuseMount clears stale mounts and refuses a plain file with a clear message
        }
        return FuseMount.mount(root, mountPoint, options);
    }
}
