package io.sklad.sftp.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sklad.sftp.SftpSession;

class SkladFileSystemFactoryTest {

    @TempDir
    Path root;

    /**
     * Only the grant (or a wholly read-only file system) decides, never the root's store: Sklad's {@code /}
     * lists the volumes and its store is read-only while every volume below is writable (found by SftpIT:
     * every upload as admin was refused with "Permission denied").
     */
    @Test
    void theGrantDecidesWhetherTheSessionIsReadOnly() {
        assertThat(SkladFileSystemFactory.isReadOnly(SftpSession.readWrite(root))).isFalse();
        assertThat(SkladFileSystemFactory.isReadOnly(SftpSession.readOnly(root))).isTrue();
    }
}
