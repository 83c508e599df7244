package io.sklad.vfs.fs;

import io.sklad.vfs.AgentConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code sklad} scheme. {@code FileSystems.newFileSystem(URI.create("sklad://host:port"), env)} with env
 * keys {@code user}, {@code password} or {@code token}, {@code workDir} (a Path or String; default a temp
 * directory), and optionally {@code uploadParallelism}, {@code cacheBytes}, {@code rpcTimeout} (Duration).
 * A thin dispatcher: the work is in {@link SkladFileSystem} and its operations.
 */
public final class SkladFileSystemProvider extends FileSystemProvider {

    public static final String SCHEME = "sklad";
    private static volatile SkladFileSystemProvider fallback;

    private final Map<String, SkladFileSystem> byAuthority = new ConcurrentHashMap<>();

    /** The installed provider (from the service loader), or one of our own when not installed. */
    static SkladFileSystemProvider instance() {
        for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
            if (p instanceof SkladFileSystemProvider s) {
                return s;
            }
        }
        if (fallback == null) {
            synchronized (SkladFileSystemProvider.class) {
                if (fallback == null) {
                    fallback = new SkladFileSystemProvider();
                }
            }
        }
        return fallback;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    private static String authorityOf(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not a sklad URI: " + uri);
        }
        if (uri.getAuthority() == null || uri.getAuthority().isEmpty()) {
            throw new IllegalArgumentException("sklad URI needs host:port of the master: " + uri);
        }
        return uri.getAuthority();
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        String authority = authorityOf(uri);
        if (byAuthority.containsKey(authority)) {
            throw new FileSystemAlreadyExistsException(authority);
        }
        AgentConfig config = configFrom(authority, env);
        SkladFileSystem fs = SkladFileSystem.open(this, config, () -> byAuthority.remove(authority));
        if (byAuthority.putIfAbsent(authority, fs) != null) {
            fs.close();
            throw new FileSystemAlreadyExistsException(authority);
        }
        return fs;
    }

    static AgentConfig configFrom(String authority, Map<String, ?> env) throws IOException {
        Object user = env.get("user");
        if (user == null) {
            throw new IllegalArgumentException("env needs 'user'");
        }
        Object password = env.get("password");
        Object token = env.get("token");
        Object work = env.get("workDir");
        Path workDir = work instanceof Path p ? p
                : work != null ? Path.of(work.toString())
                : java.nio.file.Files.createTempDirectory("sklad-agent-");
        int parallelism = env.get("uploadParallelism") instanceof Number n ? n.intValue() : 0;
        long cacheBytes = env.get("cacheBytes") instanceof Number n ? n.longValue() : -1;
        Duration timeout = env.get("rpcTimeout") instanceof Duration d ? d : null;
        return new AgentConfig(authority, user.toString(), password == null ? null : password.toString(),
                token == null ? null : token.toString(), workDir, parallelism, cacheBytes, timeout);
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        SkladFileSystem fs = byAuthority.get(authorityOf(uri));
        if (fs == null) {
            throw new FileSystemNotFoundException(uri.toString());
        }
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        SkladFileSystem fs = (SkladFileSystem) getFileSystem(uri);
        String path = uri.getPath();
        return fs.getPath(path == null || path.isEmpty() ? "/" : path);
    }

    private static SkladFileSystem fsOf(Path p) {
        if (!(p instanceof SkladPath sp)) {
            throw new ProviderMismatchException("not a Sklad path: " + p);
        }
        SkladFileSystem fs = sp.getFileSystem();
        fs.checkOpen();
        return fs;
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        return fsOf(path).files().newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return fsOf(path).files().newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return fsOf(dir).newDirectoryStream(dir, filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        fsOf(dir).files().createDirectory(dir, attrs);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        fsOf(link).files().createSymbolicLink(link, target, attrs);
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return fsOf(link).files().readSymbolicLink(link);
    }

    @Override
    public void delete(Path path) throws IOException {
        fsOf(path).files().delete(path);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        SkladFileSystem fs = fsOf(source);
        fs.checkPath(target);
        fs.copyMove().copy(source, target, options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        SkladFileSystem fs = fsOf(source);
        fs.checkPath(target);
        fs.copyMove().move(source, target, options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return fsOf(path).files().isSameFile(path, path2);
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return fsOf(path).files().isHidden(path);
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        SkladFileSystem fs = fsOf(path);
        Location at = fs.locate(path);
        fs.stat(at, true);
        return fs.fileStore(at);
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        fsOf(path).files().checkAccess(path, modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return fsOf(path).files().getFileAttributeView(path, type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return fsOf(path).files().readAttributes(path, type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        return fsOf(path).files().readAttributes(path, attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        fsOf(path).files().setAttribute(path, attribute, value, options);
    }
}
