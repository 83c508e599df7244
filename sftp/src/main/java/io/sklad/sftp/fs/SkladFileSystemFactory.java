package io.sklad.sftp.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.Path;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sklad.sftp.SftpSession;

/**
 * Gives each SSH session its own {@link JailFileSystem} over the root its login was granted. MINA closes
 * what this returns when the session ends; the shared file system under the root is never closed here.
 * The session is read-only when the grant says so or the root's whole file system is read-only. The
 * root's {@code FileStore} does not decide: a store describes one path, and below a read-only root there
 * can be writable stores (Sklad's {@code /} lists the volumes and is read-only, each volume is writable;
 * on a host, a mount point below the root). Writes to a read-only store are refused by that store.
 */
public final class SkladFileSystemFactory implements FileSystemFactory {

    /** Session attribute holding the grant of the authenticated user; set by the authenticator. */
    public static final AttributeKey<SftpSession> GRANT = new AttributeKey<>();

    private static final Logger log = LoggerFactory.getLogger(SkladFileSystemFactory.class);

    @Override
    public Path getUserHomeDir(SessionContext session) {
        // home is "/" of the session's own file system; there is no host path worth showing
        return null;
    }

    @Override
    public FileSystem createFileSystem(SessionContext session) throws IOException {
        SftpSession grant = session.getAttribute(GRANT);
        if (grant == null || !session.isAuthenticated()) {
            throw new AccessDeniedException("/", null, "session not authenticated");
        }
        boolean readOnly = isReadOnly(grant);
        log.debug("session of {}: root {}, read-only {}", session.getUsername(), grant.root(), readOnly);
        return new JailFileSystemProvider(grant.root(), readOnly).fileSystem();
    }

    static boolean isReadOnly(SftpSession grant) {
        return grant.readOnly() || grant.root().getFileSystem().isReadOnly();
    }
}
