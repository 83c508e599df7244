package io.sklad.sftp;

import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_BAD_MESSAGE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_CANNOT_DELETE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FAILURE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_INVALID_FILENAME;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_INVALID_PARAMETER;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_LOCK_CONFLICT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_PATH;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_OP_UNSUPPORTED;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_PERMISSION_DENIED;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_WRITE_PROTECT;

import java.nio.file.FileSystemException;

import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;

import io.sklad.vfs.SkladReasons;

/**
 * The SFTP status of a failed request, in the codes of the protocol version the client negotiated.
 *
 * <p>MINA picks codes from version 6 ({@code FILE_ALREADY_EXISTS}, {@code DIR_NOT_EMPTY},
 * {@code FILE_IS_A_DIRECTORY} ...) whatever version is in use. OpenSSH's {@code sftp}, {@code scp} and
 * {@code sshfs} speak version 3, which defines codes 0 to 8 only: they print the others as "Unknown status"
 * (sshfs turns them into EIO). A code the session's version lacks becomes the nearest one it has, as
 * OpenSSH's own sftp-server answers: PERMISSION_DENIED for a write-protected or undeletable target,
 * BAD_MESSAGE for an invalid name or parameter, NO_SUCH_FILE for a missing path, FAILURE for the rest;
 * the status message still names the precise condition. A {@link FileSystemException} whose reason is one of
 * {@link SkladReasons} (no JDK class of its own) gets the matching specific code first.
 */
public final class SftpErrors implements SftpErrorStatusDataHandler {

    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment env, int id, Throwable e, int cmd, Object... args) {
        return forVersion(specific(e), env.getVersion());
    }

    @Override
    public String resolveErrorMessage(SftpSubsystemEnvironment env, int id, Throwable e, int subStatus, int cmd,
            Object... args) {
        return SftpHelper.resolveStatusMessage(specific(e));
    }

    /** The most specific status for the failure, in any protocol version. */
    static int specific(Throwable e) {
        int status = SftpHelper.resolveSubstatus(e);
        if (status != SSH_FX_FAILURE || !(e instanceof FileSystemException fse) || fse.getReason() == null) {
            return status;
        }
        String reason = fse.getReason();
        if (reason.equals(SkladReasons.READ_ONLY)) {
            return SSH_FX_WRITE_PROTECT;
        }
        if (reason.equals(SkladReasons.INVALID_NAME)) {
            return SSH_FX_INVALID_FILENAME;
        }
        if (reason.equals(SkladReasons.INVALID_ARGUMENT)) {
            return SSH_FX_INVALID_PARAMETER;
        }
        if (reason.equals(SkladReasons.IS_DIRECTORY)) {
            return SSH_FX_FILE_IS_A_DIRECTORY;
        }
        if (reason.equals(SkladReasons.NO_SPACE)) {
            return SSH_FX_NO_SPACE_ON_FILESYSTEM;
        }
        if (reason.equals(SkladReasons.NOT_SUPPORTED)) {
            return SSH_FX_OP_UNSUPPORTED;
        }
        if (reason.startsWith(SkladReasons.BUSY) || reason.startsWith(SkladReasons.CONFLICT)) {
            return SSH_FX_LOCK_CONFLICT;
        }
        return status;
    }

    /** {@code status} when {@code version} defines it, else the nearest code it does define. */
    static int forVersion(int status, int version) {
        if (status <= highestCode(version)) {
            return status;
        }
        return switch (status) {
            case SSH_FX_WRITE_PROTECT, SSH_FX_CANNOT_DELETE -> SSH_FX_PERMISSION_DENIED;
            case SSH_FX_INVALID_FILENAME, SSH_FX_INVALID_PARAMETER -> SSH_FX_BAD_MESSAGE;
            case SSH_FX_NO_SUCH_PATH -> SSH_FX_NO_SUCH_FILE;
            default -> SSH_FX_FAILURE;
        };
    }

    /** The highest status code each draft defines: 8 in version 3, 13 in 4, 17 in 5, 31 in 6. */
    static int highestCode(int version) {
        if (version <= 3) {
            return 8;
        }
        return switch (version) {
            case 4 -> 13;
            case 5 -> 17;
            default -> 31;
        };
    }
}
