package io.sklad.sftp.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileStore;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sklad.sftp.SftpSession;

class SkladFileSystemFactoryTest {

    @TempDir
    Path root;

    @Test
    void aReadOnlyStoreOrGrantMakesTheSessionReadOnly() {
        assertThat(SkladFileSystemFactory.isReadOnly(SftpSession.readWrite(root), store(false))).isFalse();
        assertThat(SkladFileSystemFactory.isReadOnly(SftpSession.readWrite(root), store(true))).isTrue();
        assertThat(SkladFileSystemFactory.isReadOnly(SftpSession.readOnly(root), store(false))).isTrue();
    }

    private static FileStore store(boolean readOnly) {
        return new FileStore() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public boolean isReadOnly() {
                return readOnly;
            }

            @Override
            public long getTotalSpace() {
                return 0;
            }

            @Override
            public long getUsableSpace() {
                return 0;
            }

            @Override
            public long getUnallocatedSpace() {
                return 0;
            }

            @Override
            public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
                return false;
            }

            @Override
            public boolean supportsFileAttributeView(String name) {
                return false;
            }

            @Override
            public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
                return null;
            }

            @Override
            public Object getAttribute(String attribute) {
                return null;
            }
        };
    }
}
