package io.sklad.vfs.attr;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The attributes the JDK's default provider on Linux exposes as the {@code unix} view, typed.
 * {@link #mode()} is {@code st_mode}: file-type bits plus permission bits.
 */
public interface UnixFileAttributes extends PosixFileAttributes {

    int S_IFMT = 0170000;
    int S_IFDIR = 0040000;
    int S_IFREG = 0100000;
    int S_IFLNK = 0120000;

    int mode();

    long ino();

    long dev();

    long rdev();

    int nlink();

    int uid();

    int gid();

    FileTime ctime();
}
