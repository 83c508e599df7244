package io.sklad.sftp;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What an authenticated user gets: the directory shown as {@code /} and whether changes are refused.
 *
 * @param root     an existing directory of any {@link java.nio.file.FileSystem}; the user never sees above it
 * @param readOnly true to answer every change with SSH_FX_PERMISSION_DENIED
 */
public record SftpSession(Path root, boolean readOnly) {

    public SftpSession {
        Objects.requireNonNull(root, "root");
    }

    /** A session that may change what is under {@code root}. */
    public static SftpSession readWrite(Path root) {
        return new SftpSession(root, false);
    }

    /** A session that may only read what is under {@code root}. */
    public static SftpSession readOnly(Path root) {
        return new SftpSession(root, true);
    }
}
