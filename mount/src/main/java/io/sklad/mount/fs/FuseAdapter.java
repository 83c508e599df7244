package io.sklad.mount.fs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jnr.constants.platform.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.flags.AccessConstants;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Shows a directory of any {@code java.nio.file} file system through FUSE (libfuse 2 via
 * jnr-fuse). Each callback resolves the path under {@code root}, makes one NIO call and maps the
 * result; it keeps no caches and no policy — those belong to the file system underneath.
 *
 * <p>Open files and directories live in handle tables ({@link OpenFiles}), closed on unmount.
 * Writes are reported durable (and, for Sklad, committed) by {@code FileChannel.force(true)} in
 * {@code fsync} and in {@code flush} after a change, because errors from {@code release} never
 * reach the program.
 *
 * <p>Deliberately not registered, so libfuse answers {@code ENOSYS} and the kernel stops asking:
 * extended attributes (programs see {@code EOPNOTSUPP}; answering them ourselves would cost a
 * {@code getxattr("security.capability")} round trip on every write), {@code lock}/{@code flock}
 * (the kernel then keeps POSIX and BSD locks locally, which is what SQLite needs on one host),
 * {@code fallocate}, {@code ioctl}, {@code poll}, {@code bmap}. Hard links and special files
 * answer {@code EPERM}. {@code rename} replaces its target atomically; libfuse 2 speaks a kernel
 * protocol older than {@code renameat2}, so {@code RENAME_NOREPLACE}/{@code RENAME_EXCHANGE}
 * never arrive here (the kernel answers {@code EINVAL} and {@code mv} falls back).
 *
 * <p>Unmounting belongs to {@code FuseMount}; {@link #umount()} only marks the adapter
 * unmounted so jnr-fuse's own shutdown hook does not race it.
 */
public class FuseAdapter extends FuseStubFS implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FuseAdapter.class);

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int NAME_MAX = 255;
    // utimensat(2) special values in tv_nsec (Linux).
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    // chown(2) with -1 leaves the id alone; it arrives as an unsigned 32-bit uid_t.
    private static final long UNCHANGED_ID = 0xFFFF_FFFFL;
    private static final long DEFAULT_SLOW_CALL_MILLIS = 5_000;

    private static final int O_ACCMODE = OpenFlags.O_ACCMODE.intValue();
    private static final int O_RDONLY = OpenFlags.O_RDONLY.intValue();
    private static final int O_WRONLY = OpenFlags.O_WRONLY.intValue();
    private static final int O_RDWR = OpenFlags.O_RDWR.intValue();
    private static final int O_TRUNC = OpenFlags.O_TRUNC.intValue();
    private static final int O_EXCL = OpenFlags.O_EXCL.intValue();
    private static final int O_SYNC = OpenFlags.O_SYNC.intValue();

    private final Path root;
    private final Owner defaultOwner;
    private final StatReader stats;
    private final CallGuard guard;
    private final OpenFiles files = new OpenFiles();
    private final DirectoryListings directories = new DirectoryListings();
    // The JDK's own provider masks creation permissions with the JVM's umask; the kernel has
    // already applied the caller's umask, so the mode must be set again after creating.
    private final boolean providerMasksCreateMode;

    /**
     * An adapter over {@code root}; files of a provider without the {@code unix} view appear
     * owned by the user running this JVM.
     *
     * @throws LinkageError when libfuse 2 ({@code libfuse.so.2}) cannot be loaded
     */
    public FuseAdapter(Path root) {
        this(root, Owner.ofCurrentProcess(), DEFAULT_SLOW_CALL_MILLIS);
    }

    /**
     * An adapter over {@code root}.
     *
     * @param defaultOwner    owner shown (and accepted by chown) when the provider has no
     *                        {@code unix} view
     * @param slowCallMillis  callbacks slower than this are logged
     */
    public FuseAdapter(Path root, Owner defaultOwner, long slowCallMillis) {
        this.root = root;
        this.defaultOwner = defaultOwner;
        this.stats = new StatReader(root.getFileSystem(), defaultOwner);
        this.guard = new CallGuard(slowCallMillis);
        this.providerMasksCreateMode = "file".equals(root.getFileSystem().provider().getScheme());
        acceptUtimeOmit();
    }

    /** The directory shown at the mount point. */
    public Path root() {
        return root;
    }

    /** Per-operation call counters and timings since the adapter was made. */
    public Map<String, CallStats> callStats() {
        return guard.stats();
    }

    /** Number of file and directory handles open now. */
    public int openHandles() {
        return files.size() + directories.size();
    }

    // ---- attributes -------------------------------------------------------------------------

    @Override
    public int getattr(String path, FileStat stat) {
        return guard.call("getattr", path, () -> {
            stats.fill(resolve(path), stat);
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guard.call("fgetattr", path, () -> {
            OpenFile file = files.get(fi.fh.get());
            stats.fill(resolve(path), stat);
            // The channel knows the in-flight length of a file still being written.
            long size = file.channel().size();
            stat.st_size.set(size);
            stat.st_blocks.set((size + 511) / 512);
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return guard.call("chmod", path, () -> {
            Path p = resolve(path);
            int bits = (int) (mode & 07777);
            if (stats.hasUnixView()) {
                Files.setAttribute(p, "unix:mode", bits);
            } else if (stats.hasPosixView()) {
                Files.setPosixFilePermissions(p, permissions(bits));
            } else {
                return -ErrorCodes.ENOTSUP();
            }
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return guard.call("chown", path, () -> {
            Path p = resolve(path);
            boolean setUid = !isUnchanged(uid);
            boolean setGid = !isUnchanged(gid);
            if (stats.hasUnixView()) {
                if (setUid) {
                    Files.setAttribute(p, "unix:uid", (int) uid, NOFOLLOW);
                }
                if (setGid) {
                    Files.setAttribute(p, "unix:gid", (int) gid, NOFOLLOW);
                }
            } else if (stats.hasPosixView()) {
                chownByName(p, setUid ? uid : -1, setGid ? gid : -1);
            } else if ((setUid && uid != defaultOwner.uid()) || (setGid && gid != defaultOwner.gid())) {
                return -ErrorCodes.EPERM();
            }
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return guard.call("utimens", path, () -> {
            FileTime atime = fileTime(timespec[0]);
            FileTime mtime = fileTime(timespec[1]);
            if (atime != null || mtime != null) {
                Files.getFileAttributeView(resolve(path), BasicFileAttributeView.class, NOFOLLOW)
                        .setTimes(mtime, atime, null);
            }
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return guard.call("access", path, () -> {
            Path p = resolve(path);
            if (mask == AccessConstants.F_OK) {
                Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
                return 0;
            }
            List<AccessMode> modes = new ArrayList<>(3);
            if ((mask & AccessConstants.R_OK) != 0) {
                modes.add(AccessMode.READ);
            }
            if ((mask & AccessConstants.W_OK) != 0) {
                modes.add(AccessMode.WRITE);
            }
            if ((mask & AccessConstants.X_OK) != 0) {
                modes.add(AccessMode.EXECUTE);
            }
            p.getFileSystem().provider().checkAccess(p, modes.toArray(new AccessMode[0]));
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return guard.call("statfs", path, () -> {
            FileStore store = Files.getFileStore(resolve(path));
            long blockSize = blockSize(store);
            st.f_bsize.set(blockSize);
            st.f_frsize.set(blockSize);
            st.f_blocks.set(store.getTotalSpace() / blockSize);
            st.f_bfree.set(store.getUnallocatedSpace() / blockSize);
            st.f_bavail.set(store.getUsableSpace() / blockSize);
            st.f_namemax.set(NAME_MAX);
            return 0;
        });
    }

    // ---- namespace --------------------------------------------------------------------------

    @Override
    public int mkdir(String path, long mode) {
        return guard.call("mkdir", path, () -> {
            Path p = resolve(path);
            Files.createDirectory(p, creationAttributes(mode));
            fixCreatedMode(p, mode);
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return guard.call("mknod", path, () -> {
            if (!FileStat.S_ISREG((int) mode)) {
                return -ErrorCodes.EPERM();
            }
            Path p = resolve(path);
            Files.createFile(p, creationAttributes(mode));
            fixCreatedMode(p, mode);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return guard.call("unlink", path, () -> {
            Files.delete(resolve(path));
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return guard.call("rmdir", path, () -> {
            Files.delete(resolve(path));
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return guard.call("rename", oldpath, () -> {
            Path source = resolve(oldpath);
            Path target = resolve(newpath);
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkPath) {
        return guard.call("symlink", linkPath, () -> {
            Files.createSymbolicLink(resolve(linkPath), root.getFileSystem().getPath(target));
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return guard.call("readlink", path, () -> {
            byte[] target = Files.readSymbolicLink(resolve(path)).toString().getBytes(UTF_8);
            int length = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, length);
            buf.putByte(length, (byte) 0);
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return guard.call("link", newpath, () -> -ErrorCodes.EPERM());
    }

    // ---- directories ------------------------------------------------------------------------

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return guard.call("opendir", path, () -> {
            fi.fh.set(directories.open(resolve(path)));
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return guard.call("readdir", path, () -> {
            directories.get(fi.fh.get())
                    .fill(offset, (name, next) -> filler.apply(buf, cString(name), null, next));
            return 0;
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return guard.call("releasedir", path, () -> {
            directories.release(fi.fh.get());
            return 0;
        });
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        // Directory changes are complete when the NIO call returns; nothing is pending here.
        return guard.call("fsyncdir", path, () -> 0);
    }

    // ---- files ------------------------------------------------------------------------------

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return guard.call("create", path, () -> {
            Path p = resolve(path);
            int flags = fi.flags.get();
            Set<OpenOption> options = openOptions(flags);
            // O_RDONLY|O_CREAT is legal; NIO creates only through a writable channel.
            options.add(StandardOpenOption.WRITE);
            FileChannel channel;
            try {
                options.add(StandardOpenOption.CREATE_NEW);
                channel = FileChannel.open(p, options, creationAttributes(mode));
                fixCreatedMode(p, mode);
            } catch (FileAlreadyExistsException e) {
                // Appeared since the kernel's lookup: without O_EXCL that is a plain open.
                if ((flags & O_EXCL) != 0) {
                    throw e;
                }
                options.remove(StandardOpenOption.CREATE_NEW);
                channel = FileChannel.open(p, options);
            }
            fi.fh.set(files.add(channel, true));
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard.call("open", path, () -> {
            Set<OpenOption> options = openOptions(fi.flags.get());
            FileChannel channel = FileChannel.open(resolve(path), options);
            fi.fh.set(files.add(channel, options.contains(StandardOpenOption.TRUNCATE_EXISTING)));
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return guard.call("read", path, () -> {
            FileChannel channel = files.get(fi.fh.get()).channel();
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE));
            while (data.hasRemaining() && channel.read(data, offset + data.position()) >= 0) {
                // a short read is not the end of the file; go on until EOF or the buffer is full
            }
            buf.put(0, data.array(), 0, data.position());
            return data.position();
        });
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return guard.call("write", path, () -> {
            OpenFile file = files.get(fi.fh.get());
            int length = (int) Math.min(size, Integer.MAX_VALUE);
            byte[] bytes = new byte[length];
            buf.get(0, bytes, 0, length);
            ByteBuffer data = ByteBuffer.wrap(bytes);
            file.markChanged();
            while (data.hasRemaining()) {
                file.channel().write(data, offset + data.position());
            }
            return length;
        });
    }

    @Override
    public int truncate(String path, long size) {
        return guard.call("truncate", path, () -> {
            try (FileChannel channel = FileChannel.open(resolve(path), StandardOpenOption.WRITE)) {
                setSize(channel, size);
            }
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return guard.call("ftruncate", path, () -> {
            OpenFile file = files.get(fi.fh.get());
            file.markChanged();
            setSize(file.channel(), size);
            return 0;
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        // Called on every close(2): the last point where a write error can reach the program.
        return guard.call("flush", path, () -> {
            files.get(fi.fh.get()).forceIfChanged();
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return guard.call("fsync", path, () -> {
            files.get(fi.fh.get()).force();
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard.call("release", path, () -> {
            files.release(fi.fh.get());
            return 0;
        });
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @Override
    public void destroy(Pointer initResult) {
        guard.call("destroy", "/", () -> {
            close();
            return 0;
        });
    }

    /**
     * Only marks the adapter unmounted: {@code FuseMount} owns unmounting, and jnr-fuse's
     * shutdown hook calls this.
     */
    @Override
    public void umount() {
        mounted.set(false);
    }

    /** Closes every file and directory handle still open. */
    @Override
    public void close() {
        files.close();
        directories.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * Sets libfuse's {@code flag_utime_omit_ok}. Without it libfuse 2 calls {@code utimens} only
     * when atime and mtime are both set, silently dropping {@code touch -a}/{@code touch -m};
     * with it, the untouched one arrives as {@code UTIME_OMIT}. jnr-fuse maps the flag word as
     * padding, so the bit (third of the word's first byte on little-endian) is set directly.
     */
    private void acceptUtimeOmit() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            log.warn("Unknown bit-field layout; atime-only and mtime-only changes will be ignored by libfuse");
            return;
        }
        try {
            Method offset = Class.forName("jnr.ffi.Struct$Member").getDeclaredMethod("offset");
            offset.setAccessible(true);
            long at = (Long) offset.invoke(fuseOperations.flag_nullpath_ok);
            Pointer memory = Struct.getMemory(fuseOperations);
            memory.putByte(at, (byte) (memory.getByte(at) | 0x04));
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Could not set flag_utime_omit_ok; atime-only and mtime-only changes will be ignored", e);
        }
    }

    /**
     * The NIO path of a FUSE path ("/a/b"), resolved one name at a time so the root's provider
     * decides what a name is. Names over 255 bytes are refused here, the same for every provider.
     */
    Path resolve(String fusePath) throws FileSystemException {
        Path p = root;
        int start = 1;
        while (start < fusePath.length()) {
            int end = fusePath.indexOf('/', start);
            if (end < 0) {
                end = fusePath.length();
            }
            String name = fusePath.substring(start, end);
            if (name.isEmpty() || ".".equals(name) || "..".equals(name)) {
                throw new FileSystemException(fusePath, null, "Invalid argument");
            }
            if (name.length() * 3 > NAME_MAX && name.getBytes(UTF_8).length > NAME_MAX) {
                throw new FileSystemException(fusePath, null, "File name too long");
            }
            p = p.resolve(name);
            start = end + 1;
        }
        return p;
    }

    private static Set<OpenOption> openOptions(int flags) {
        Set<OpenOption> options = new HashSet<>();
        int access = flags & O_ACCMODE;
        if (access == O_RDONLY || access == O_RDWR) {
            options.add(StandardOpenOption.READ);
        }
        if (access == O_WRONLY || access == O_RDWR) {
            options.add(StandardOpenOption.WRITE);
            if ((flags & O_TRUNC) != 0) {
                options.add(StandardOpenOption.TRUNCATE_EXISTING);
            }
        }
        // O_APPEND is not passed on: the kernel already sends appends at the end-of-file offset.
        if ((flags & O_SYNC) == O_SYNC) {
            options.add(StandardOpenOption.SYNC);
        }
        return options;
    }

    private FileAttribute<?>[] creationAttributes(long mode) {
        if (!stats.hasPosixView()) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions((int) mode))};
    }

    private void fixCreatedMode(Path p, long mode) throws IOException {
        int bits = (int) (mode & 07777);
        if (stats.hasUnixView() && (providerMasksCreateMode || (bits & 07000) != 0)) {
            Files.setAttribute(p, "unix:mode", bits, NOFOLLOW);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (0400 >> p.ordinal())) != 0) {
                result.add(p);
            }
        }
        return result;
    }

    private static boolean isUnchanged(long id) {
        return id == -1 || id == UNCHANGED_ID;
    }

    private static void chownByName(Path p, long uid, long gid) throws IOException {
        // Without the unix view ids can only travel as names; the JDK's lookup accepts numbers.
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW);
        if (uid >= 0) {
            view.setOwner(lookup.lookupPrincipalByName(Long.toString(uid)));
        }
        if (gid >= 0) {
            view.setGroup(lookup.lookupPrincipalByGroupName(Long.toString(gid)));
        }
    }

    private static FileTime fileTime(Timespec time) {
        long nanos = time.tv_nsec.longValue();
        if (nanos == UTIME_OMIT) {
            return null;
        } else if (nanos == UTIME_NOW) {
            return FileTime.from(Instant.now());
        }
        return FileTime.from(Instant.ofEpochSecond(time.tv_sec.get(), nanos));
    }

    private static long blockSize(FileStore store) throws IOException {
        try {
            long size = store.getBlockSize();
            return size > 0 ? size : 4096;
        } catch (UnsupportedOperationException e) {
            return 4096;
        }
    }

    /** Sets the length: truncates, or extends with a zero byte at the new end (sparse where possible). */
    private static void setSize(FileChannel channel, long size) throws IOException {
        long current = channel.size();
        if (size < current) {
            channel.truncate(size);
        } else if (size > current) {
            channel.write(ByteBuffer.allocate(1), size - 1);
        }
    }

    private static ByteBuffer cString(String name) {
        byte[] bytes = name.getBytes(UTF_8);
        return ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length + 1));
    }
}
