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
import io.sklad.webdav.fs.EntityTags;
import io.sklad.webdav.lock.BackedDavLockManager;
import io.sklad.webdav.lock.FileLockBackend;
import io.sklad.vfs.attr.SkladFileAttributes;
import io.sklad.vfs.fs.SkladFileSystem;
import io.sklad.vfs.lease.SkladLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
        WebDavServer server = new WebDavServer(new WebDavConfig(host, port, "", null, null, allowPlainRemote, null), realm,
                new BackedDavLockManager(Frontends::leaseLock), Frontends::versionTag);
        server.start();
        return server;
    }

    /** A WebDAV lock holds a master lease, taken through the locking user's own file system. */
    private static FileLockBackend.Held leaseLock(Path resource, boolean exclusive, Duration timeout)
            throws IOException {
        if (!(resource.getFileSystem() instanceof SkladFileSystem fs)) {
            return FileLockBackend.NONE.acquire(resource, exclusive, timeout);
        }
        SkladLock[] lock = {fs.lock(resource, exclusive, timeout)};
        return new FileLockBackend.Held() {
            @Override
            public void renew(Duration t) throws IOException {
                lock[0] = fs.renewLock(lock[0], t);
            }

            @Override
            public void release() {
                fs.unlock(lock[0]);
            }
        };
    }

    /** The entity tag of a Sklad entry is its version id: strong, and new with every commit. */
    private static String versionTag(BasicFileAttributes a) {
        return a instanceof SkladFileAttributes s ? "\"" + s.entry().version() + "\""
                : EntityTags.SIZE_AND_TIME.of(a);
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
