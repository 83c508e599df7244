package io.sklad.sftp.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
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
 * The root is read-only for the session when the grant says so or its {@code FileStore} is read-only.
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
        boolean readOnly = isReadOnly(grant, Files.getFileStore(grant.root()));
        log.debug("session of {}: root {}, read-only {}", session.getUsername(), grant.root(), readOnly);
        return new JailFileSystemProvider(grant.root(), readOnly).fileSystem();
    }

    static boolean isReadOnly(SftpSession grant, FileStore store) {
        return grant.readOnly() || store.isReadOnly() || grant.root().getFileSystem().isReadOnly();
    }
}
