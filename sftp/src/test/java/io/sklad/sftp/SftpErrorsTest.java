package io.sklad.sftp;

import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_BAD_MESSAGE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_DIR_NOT_EMPTY;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FAILURE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FILE_ALREADY_EXISTS;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_INVALID_FILENAME;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_LOCK_CONFLICT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NOT_A_DIRECTORY;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_PERMISSION_DENIED;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_WRITE_PROTECT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

import io.sklad.vfs.SkladReasons;

class SftpErrorsTest {

    @Test
    void version3GetsOnlyTheCodesItDefines() {
        for (int status = 0; status <= 31; status++) {
            assertThat(SftpErrors.forVersion(status, 3)).as("status " + status).isBetween(0, 8);
        }
        assertThat(SftpErrors.forVersion(SSH_FX_FILE_ALREADY_EXISTS, 3)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_DIR_NOT_EMPTY, 3)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_FILE_IS_A_DIRECTORY, 3)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_NOT_A_DIRECTORY, 3)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_WRITE_PROTECT, 3)).isEqualTo(SSH_FX_PERMISSION_DENIED);
        assertThat(SftpErrors.forVersion(SSH_FX_INVALID_FILENAME, 3)).isEqualTo(SSH_FX_BAD_MESSAGE);
        assertThat(SftpErrors.forVersion(SSH_FX_NO_SUCH_FILE, 3)).isEqualTo(SSH_FX_NO_SUCH_FILE);
        assertThat(SftpErrors.forVersion(SSH_FX_PERMISSION_DENIED, 3)).isEqualTo(SSH_FX_PERMISSION_DENIED);
    }

    @Test
    void laterVersionsKeepTheirOwnCodes() {
        assertThat(SftpErrors.forVersion(SSH_FX_FILE_ALREADY_EXISTS, 4)).isEqualTo(SSH_FX_FILE_ALREADY_EXISTS);
        assertThat(SftpErrors.forVersion(SSH_FX_LOCK_CONFLICT, 4)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_LOCK_CONFLICT, 5)).isEqualTo(SSH_FX_LOCK_CONFLICT);
        assertThat(SftpErrors.forVersion(SSH_FX_DIR_NOT_EMPTY, 5)).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.forVersion(SSH_FX_DIR_NOT_EMPTY, 6)).isEqualTo(SSH_FX_DIR_NOT_EMPTY);
    }

    @Test
    void jdkExceptionsKeepMinasMappingAndSkladReasonsGetTheirOwnCodes() {
        assertThat(SftpErrors.specific(new NoSuchFileException("/a"))).isEqualTo(SSH_FX_NO_SUCH_FILE);
        assertThat(SftpErrors.specific(new AccessDeniedException("/a"))).isEqualTo(SSH_FX_PERMISSION_DENIED);
        assertThat(SftpErrors.specific(new FileAlreadyExistsException("/a"))).isEqualTo(SSH_FX_FILE_ALREADY_EXISTS);
        assertThat(SftpErrors.specific(new DirectoryNotEmptyException("/a"))).isEqualTo(SSH_FX_DIR_NOT_EMPTY);
        assertThat(SftpErrors.specific(reason(SkladReasons.READ_ONLY))).isEqualTo(SSH_FX_WRITE_PROTECT);
        assertThat(SftpErrors.specific(reason(SkladReasons.INVALID_NAME))).isEqualTo(SSH_FX_INVALID_FILENAME);
        assertThat(SftpErrors.specific(reason(SkladReasons.NO_SPACE))).isEqualTo(SSH_FX_NO_SPACE_ON_FILESYSTEM);
        assertThat(SftpErrors.specific(reason(SkladReasons.BUSY + "/v/f is being written by another client")))
                .isEqualTo(SSH_FX_LOCK_CONFLICT);
        assertThat(SftpErrors.specific(reason("anything else"))).isEqualTo(SSH_FX_FAILURE);
        assertThat(SftpErrors.specific(new FileSystemException("/a"))).isEqualTo(SSH_FX_FAILURE);
    }

    private static FileSystemException reason(String reason) {
        return new FileSystemException("/a", null, reason);
    }
}
