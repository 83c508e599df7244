package io.sklad.vfs.attr;

import java.io.IOException;
import java.nio.file.attribute.PosixFileAttributeView;

/** The {@code unix} view: read {@link UnixFileAttributes}, write mode, uid and gid. */
public interface UnixFileAttributeView extends PosixFileAttributeView {

    @Override
    default String name() {
        return "unix";
    }

    @Override
    UnixFileAttributes readAttributes() throws IOException;

    /** Sets the permission bits (07777; file-type bits are ignored). */
    void setMode(int mode) throws IOException;

    void setUid(int uid) throws IOException;

    void setGid(int gid) throws IOException;
}
