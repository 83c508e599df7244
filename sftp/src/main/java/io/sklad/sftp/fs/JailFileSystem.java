package io.sklad.sftp.fs;

import java.nio.file.Path;
import java.util.Map;

import org.apache.sshd.common.file.root.RootedFileSystem;

/**
 * One session's view of a directory. MINA closes the file system it is handed when the session ends,
 * so closing this one only forgets the view: the shared file system underneath stays open.
 */
public final class JailFileSystem extends RootedFileSystem {

    private final boolean readOnly;

    JailFileSystem(JailFileSystemProvider provider, Path root, boolean readOnly) {
        super(provider, root, Map.of());
        this.readOnly = readOnly;
    }

    @Override
    public JailFileSystemProvider provider() {
        return (JailFileSystemProvider) super.provider();
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void close() {
        // deliberately empty: the root's file system is shared by every session and owned by the caller
    }
}
