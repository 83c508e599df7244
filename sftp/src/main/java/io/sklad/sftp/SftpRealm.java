package io.sklad.sftp;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Decides who may log in and what each user sees. The caller maps users to their granted volumes.
 * Implementations are called from the server's I/O threads and must be thread-safe; they need not
 * rate-limit or log failures, the server does both.
 */
public interface SftpRealm {

    /** The session for {@code user} if {@code password} is right, else empty. */
    Optional<SftpSession> authenticatePassword(String user, String password);

    /**
     * The session for {@code user} if {@code key} is one of the user's keys, else empty. The server has
     * already checked (or will check) that the client holds the private key.
     */
    Optional<SftpSession> authenticateKey(String user, PublicKey key);
}
