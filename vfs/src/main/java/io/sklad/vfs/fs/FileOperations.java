package io.sklad.vfs.fs;

import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.attr.AttributeAccess;
import io.sklad.vfs.attr.AttributeStrings;
import io.sklad.vfs.attr.PropertyAccess;
import io.sklad.vfs.attr.SkladAttributeView;
import io.sklad.vfs.attr.SkladFileAttributes;
import io.sklad.vfs.attr.SkladUserAttributeView;
import io.sklad.vfs.attr.UnixFileAttributeView;
import io.sklad.vfs.attr.UnixFileAttributes;
import io.sklad.vfs.client.AttributeChange;
import io.sklad.vfs.client.CreatedFile;
import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.LeaseGrant;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.io.OpenFile;
import io.sklad.vfs.io.OpenFileRegistry;
import io.sklad.vfs.io.SkladFileChannel;
import io.sklad.vfs.lease.LeaseKeeper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider operations on single paths: open, list, create, delete, links, access and attributes.
 * Each resolves the path, makes one or two master calls and lets the exact exceptions through.
 */
final class FileOperations {

    private static final int DEFAULT_FILE_MODE = 0644;
    private static final int DEFAULT_DIR_MODE = 0755;

    private final SkladFileSystem fs;
    private final MetadataClient metadata;
    private final OpenFileRegistry registry;

    FileOperations(SkladFileSystem fs) {
        this.fs = fs;
        this.metadata = fs.metadata();
        this.registry = fs.registry();
    }

    static boolean follow(LinkOption... options) {
        return !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
    }

    // ------------------------------------------------------------------ open

    FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        boolean append = options.contains(StandardOpenOption.APPEND);
        boolean write = append || options.contains(StandardOpenOption.WRITE);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        if (append && options.contains(StandardOpenOption.READ)) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        boolean createNew = write && options.contains(StandardOpenOption.CREATE_NEW);
        boolean create = write && options.contains(StandardOpenOption.CREATE);
        boolean truncate = write && options.contains(StandardOpenOption.TRUNCATE_EXISTING);
        boolean follow = !options.contains(LinkOption.NOFOLLOW_LINKS);
        boolean deleteOnClose = options.contains(StandardOpenOption.DELETE_ON_CLOSE);

        Location loc = fs.locate(path);
        if (loc.isRoot() || loc.isVolumeRoot()) {
            if (createNew) {
                throw new FileAlreadyExistsException(path.toString());
            }
            throw new FileSystemException(path.toString(), null, SkladReasons.IS_DIRECTORY);
        }
        int mode = modeOf(attrs, DEFAULT_FILE_MODE);
        Location at = loc;
        EntryInfo entry;
        LeaseGrant granted = null; // the write lease a create took with the file
        if (createNew) {
            CreatedFile c = createFile(loc, mode, true);
            entry = c.entry();
            granted = c.lease();
        } else if (create) {
            try {
                Stat s = fs.statFresh(loc, follow);
                at = s.location();
                entry = s.entry();
            } catch (NoSuchFileException e) {
                CreatedFile c = createFile(loc, mode, false);
                entry = c.entry();
                granted = c.lease();
            }
        } else {
            Stat s = fs.statFresh(loc, follow);
            at = s.location();
            entry = s.entry();
        }
        if (entry.isDirectory()) {
            throw new FileSystemException(path.toString(), null, SkladReasons.IS_DIRECTORY);
        }
        if (entry.isSymlink()) {
            throw new FileSystemException(path.toString(), null,
                    "Too many levels of symbolic links (NOFOLLOW_LINKS specified)");
        }
        // writers hold a lease while open, so another agent's writer gets Busy instead of a later conflict;
        // taken before anything changes (truncate), so a refused open changes nothing
        LeaseKeeper.WriteHandle lease = !write ? null : granted != null
                ? fs.leases().adoptWrite(at.volume(), at.inVolume(), entry.inode(), at.path().toString(), granted)
                : fs.leases().openForWrite(at.volume(), at.inVolume(), entry.inode(), at.path().toString());
        OpenFile file;
        try {
            file = registry.acquire(fs.volume(at), entry);
        } catch (IOException | RuntimeException e) {
            closeLease(lease);
            throw e;
        }
        boolean truncated = false;
        try {
            if (truncate && file.size() > 0) {
                file.setLength(0);
                truncated = true;
            }
        } catch (IOException | RuntimeException e) {
            registry.release(file);
            closeLease(lease);
            throw e;
        }
        Location opened = at;
        return new SkladFileChannel(file, read, write, append, truncated, ownChanges -> {
            try {
                // Only a channel with changes of its own commits at close (or the last one, so nothing is left
                // behind): FUSE releases handles asynchronously, and closing an idle handle must not commit
                // what another program is still writing into the same open file.
                if (write && (ownChanges || registry.isLastReference(file))) {
                    file.flush();
                }
            } finally {
                registry.release(file);
                closeLease(lease); // after the flush: its commit ran under the lease
                if (deleteOnClose) {
                    try {
                        metadata.delete(opened.volume(), opened.inVolume(), false, null);
                    } catch (NoSuchFileException gone) {
                        // already deleted: nothing to do
                    }
                }
            }
        });
    }

    /** Creates the file, taking the writer's lease in the same call (create implies a writable open here). */
    private CreatedFile createFile(Location loc, int mode, boolean exclusive) throws IOException {
        LeaseKeeper leases = fs.leases();
        return metadata.createFile(loc.volume(), loc.inVolume(), mode, 0, 0, exclusive, leases.holder(), leases.ttl());
    }

    private static void closeLease(LeaseKeeper.WriteHandle lease) {
        if (lease != null) {
            lease.close();
        }
    }

    @SuppressWarnings("unchecked")
    static int modeOf(FileAttribute<?>[] attrs, int defaultMode) {
        int mode = defaultMode;
        for (FileAttribute<?> a : attrs) {
            switch (a.name()) {
                case "posix:permissions", "unix:permissions" ->
                        mode = SkladFileAttributes.toMode((Set<PosixFilePermission>) a.value());
                case "unix:mode" -> mode = ((Integer) a.value()) & 07777;
                default -> throw new UnsupportedOperationException("'" + a.name()
                        + "' not supported as initial attribute");
            }
        }
        return mode;
    }

    // ------------------------------------------------------------------ directories

    DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        Location loc = fs.locate(dir);
        List<Path> children = new ArrayList<>();
        if (loc.isRoot()) {
            fs.listVolumes().forEach(v -> children.add(dir.resolve(v.name())));
        } else {
            Stat s = fs.stat(loc, true);
            if (!s.entry().isDirectory()) {
                throw new NotDirectoryException(dir.toString());
            }
            for (EntryInfo e : metadata.list(s.location().volume(), s.location().inVolume())) {
                children.add(dir.resolve(e.name()));
            }
        }
        return new SkladDirectoryStream(children, filter);
    }

    void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        Location loc = fs.locate(dir);
        if (loc.isRoot()) {
            throw new FileAlreadyExistsException(dir.toString());
        }
        if (loc.isVolumeRoot()) {
            try {
                fs.volume(loc);
            } catch (NoSuchFileException e) {
                throw new AccessDeniedException(dir.toString(), null,
                        "volumes are made with createVolume, not as directories");
            }
            throw new FileAlreadyExistsException(dir.toString());
        }
        metadata.mkdir(loc.volume(), loc.inVolume(), modeOf(attrs, DEFAULT_DIR_MODE), 0, 0, false);
    }

    void delete(Path path) throws IOException {
        Location loc = fs.locate(path);
        if (loc.isRoot() || loc.isVolumeRoot()) {
            throw new AccessDeniedException(path.toString(), null, "the root and volume roots cannot be deleted");
        }
        metadata.delete(loc.volume(), loc.inVolume(), false, null);
    }

    // ------------------------------------------------------------------ links

    void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        if (attrs.length > 0) {
            throw new UnsupportedOperationException("initial attributes of symbolic links are not supported");
        }
        Location loc = fs.locate(link);
        if (loc.isRoot() || loc.isVolumeRoot()) {
            throw new FileAlreadyExistsException(link.toString());
        }
        String t = target.toString();
        if (t.isEmpty() || t.indexOf('\0') >= 0) {
            throw new FileSystemException(link.toString(), t, SkladReasons.INVALID_NAME);
        }
        metadata.symlink(loc.volume(), loc.inVolume(), t, 0, 0);
    }

    Path readSymbolicLink(Path link) throws IOException {
        Stat s = fs.stat(fs.locate(link), false);
        if (!s.entry().isSymlink()) {
            throw new NotLinkException(link.toString());
        }
        return fs.getPath(s.entry().symlinkTarget());
    }

    // ------------------------------------------------------------------ access

    void checkAccess(Path path, AccessMode... modes) throws IOException {
        Stat s = fs.stat(fs.locate(path), true);
        for (AccessMode m : modes) {
            if (m == AccessMode.WRITE && s.location().isRoot()) {
                throw new AccessDeniedException(path.toString(), null, SkladReasons.READ_ONLY);
            }
            if (m == AccessMode.WRITE && !fs.volumeWritable(s.location())) {
                throw new AccessDeniedException(path.toString(), null, "read-only access to volume "
                        + s.location().volume());
            }
            if (m == AccessMode.EXECUTE && s.entry().isFile() && (s.entry().mode() & 0111) == 0) {
                throw new AccessDeniedException(path.toString());
            }
        }
    }

    boolean isSameFile(Path a, Path b) throws IOException {
        if (a.equals(b)) {
            return true;
        }
        if (!(b instanceof SkladPath) || b.getFileSystem() != fs) {
            return false;
        }
        Stat sa = fs.stat(fs.locate(a), true);
        Stat sb = fs.stat(fs.locate(b), true);
        if (sa.location().isRoot() || sb.location().isRoot()) {
            return sa.location().isRoot() && sb.location().isRoot();
        }
        return sa.location().volume().equals(sb.location().volume()) && sa.entry().inode() == sb.entry().inode();
    }

    boolean isHidden(Path path) throws IOException {
        fs.locate(path);
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    // ------------------------------------------------------------------ attributes

    SkladFileAttributes attributes(Path path, boolean follow) throws IOException {
        Stat s = fs.stat(fs.locate(path), follow);
        return new SkladFileAttributes(s.entry(),
                new SkladFileAttributes.FileKey(s.location().volume(), s.entry().inode()));
    }

    @SuppressWarnings("unchecked")
    <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type == BasicFileAttributes.class || type == PosixFileAttributes.class
                || type == UnixFileAttributes.class || type == SkladFileAttributes.class) {
            return (A) attributes(path, follow(options));
        }
        throw new UnsupportedOperationException("attributes " + type.getName() + " not supported");
    }

    Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return AttributeStrings.read(attributes, attributes(path, follow(options)));
    }

    @SuppressWarnings("unchecked")
    <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        String name;
        if (type == BasicFileAttributeView.class) {
            name = "basic";
        } else if (type == FileOwnerAttributeView.class) {
            name = "owner";
        } else if (type == PosixFileAttributeView.class) {
            name = "posix";
        } else if (type == UnixFileAttributeView.class || type == SkladAttributeView.class) {
            name = "unix";
        } else if (type == UserDefinedFileAttributeView.class) {
            fs.checkPath(path);
            return (V) new SkladUserAttributeView(path.toString(), properties(path, follow(options)));
        } else {
            return null;
        }
        fs.checkPath(path);
        return (V) new SkladAttributeView(name, access(path, follow(options)));
    }

    void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        AttributeStrings.set(attribute, value, new SkladAttributeView("unix", access(path, follow(options))));
    }

    private PropertyAccess properties(Path path, boolean follow) {
        return new PropertyAccess() {
            @Override
            public Map<String, byte[]> read() throws IOException {
                Location at = fs.stat(fs.locate(path), follow).location();
                return at.isRoot() ? Map.of() : metadata.getProperties(at.volume(), at.inVolume());
            }

            @Override
            public void update(Map<String, byte[]> set, Collection<String> remove) throws IOException {
                Location at = fs.stat(fs.locate(path), follow).location();
                if (at.isRoot()) {
                    throw new AccessDeniedException(path.toString(), null, SkladReasons.READ_ONLY);
                }
                metadata.setProperties(at.volume(), at.inVolume(), set, remove);
            }
        };
    }

    private AttributeAccess access(Path path, boolean follow) {
        return new AttributeAccess() {
            @Override
            public SkladFileAttributes read() throws IOException {
                return attributes(path, follow);
            }

            @Override
            public void change(AttributeChange change) throws IOException {
                changeAttributes(path, follow, change);
            }
        };
    }

    private void changeAttributes(Path path, boolean follow, AttributeChange change) throws IOException {
        Location loc = fs.locate(path);
        if (loc.isRoot()) {
            throw new AccessDeniedException(path.toString(), null, SkladReasons.READ_ONLY);
        }
        Stat s = fs.stat(loc, follow);
        // a file this agent is writing takes the change into its coming commit: no transaction of its own, and
        // an explicit mtime is not overwritten by the commit's "now"
        if (s.entry().isFile() && registry.find(s.location().volume(), s.entry().inode())
                .map(f -> f.deferAttributes(change)).orElse(false)) {
            return;
        }
        metadata.setAttributes(s.location().volume(), s.location().inVolume(), change);
    }
}
