package io.sklad.mount.fs;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Fills a FUSE {@code stat} from NIO attributes, using the richest view the provider offers:
 * {@code unix} (mode, ids, link count, ctime as they are), else {@code posix} (permission bits;
 * the mounting user as owner, since names cannot be turned into ids), else {@code basic}
 * (0755 directories, 0644 files).
 */
final class StatReader {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final boolean unix;
    private final boolean posix;
    private final Owner fallbackOwner;

    StatReader(FileSystem fileSystem, Owner fallbackOwner) {
        Set<String> views = fileSystem.supportedFileAttributeViews();
        this.unix = views.contains("unix");
        this.posix = views.contains("posix");
        this.fallbackOwner = fallbackOwner;
    }

    boolean hasUnixView() {
        return unix;
    }

    boolean hasPosixView() {
        return posix;
    }

    void fill(Path path, FileStat stat) throws IOException {
        if (unix) {
            fillUnix(Files.readAttributes(path, "unix:*", NOFOLLOW), stat);
        } else if (posix) {
            PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
            fillBasic(attrs, typeBits(attrs) | permissionBits(attrs.permissions()), stat);
        } else {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
            int type = typeBits(attrs);
            int permissions = type == FileStat.S_IFDIR ? 0755 : type == FileStat.S_IFLNK ? 0777 : 0644;
            fillBasic(attrs, type | permissions, stat);
        }
    }

    /** The nine {@code rwx} bits of a permission set. */
    static int permissionBits(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) {
            bits |= 0400 >> p.ordinal();
        }
        return bits;
    }

    private static void fillUnix(Map<String, Object> a, FileStat stat) {
        long size = (Long) a.get("size");
        stat.st_mode.set((Integer) a.get("mode"));
        stat.st_uid.set((Integer) a.get("uid"));
        stat.st_gid.set((Integer) a.get("gid"));
        stat.st_nlink.set((Integer) a.get("nlink"));
        stat.st_ino.set((Long) a.get("ino"));
        stat.st_size.set(size);
        stat.st_blocks.set(blocks(size));
        setTime(stat.st_atim, (FileTime) a.get("lastAccessTime"));
        setTime(stat.st_mtim, (FileTime) a.get("lastModifiedTime"));
        setTime(stat.st_ctim, (FileTime) a.get("ctime"));
    }

    private void fillBasic(BasicFileAttributes a, int mode, FileStat stat) {
        stat.st_mode.set(mode);
        stat.st_uid.set(fallbackOwner.uid());
        stat.st_gid.set(fallbackOwner.gid());
        stat.st_nlink.set(a.isDirectory() ? 2 : 1);
        stat.st_size.set(a.size());
        stat.st_blocks.set(blocks(a.size()));
        setTime(stat.st_atim, a.lastAccessTime());
        setTime(stat.st_mtim, a.lastModifiedTime());
        setTime(stat.st_ctim, a.lastModifiedTime());
    }

    private static int typeBits(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return FileStat.S_IFDIR;
        } else if (a.isSymbolicLink()) {
            return FileStat.S_IFLNK;
        }
        return FileStat.S_IFREG;
    }

    private static long blocks(long size) {
        return (size + 511) / 512;
    }

    private static void setTime(Timespec target, FileTime time) {
        Instant instant = time.toInstant();
        target.tv_sec.set(instant.getEpochSecond());
        target.tv_nsec.set(instant.getNano());
    }
}
