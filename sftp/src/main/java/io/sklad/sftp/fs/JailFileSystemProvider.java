package io.sklad.sftp.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import org.apache.sshd.common.file.root.RootedFileSystem;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;
import org.apache.sshd.common.file.root.RootedPath;

/**
 * Serves one directory ("the root") of any NIO file system as a file system of its own, for one session.
 *
 * <p>Every path is first normalised lexically ({@code ..} never climbs above {@code /}), then walked
 * name by name on the real file system, following symbolic links only while every step stays under
 * the root; a path that would leave it gets {@link AccessDeniedException}. The operation then runs on
 * the resolved path, so a link checked here is not re-read by the call. Links are created relative and
 * only pointing inside. In a read-only session every change gets {@link AccessDeniedException}, which
 * MINA answers as SSH_FX_PERMISSION_DENIED. Errors keep their exact {@code java.nio.file} class, with
 * file names shown as the client sees them.
 *
 * <p>MINA's own {@link RootedFileSystemProvider} contributes only the path syntax: it follows links out
 * of the root, keeps a global registry of roots and cannot refuse writes.
 */
public final class JailFileSystemProvider extends RootedFileSystemProvider {

    private static final int MAX_LINK_HOPS = 40;
    private static final Set<OpenOption> WRITE_OPTIONS = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final Path root;
    private final FileSystemProvider host;
    private final JailFileSystem fileSystem;

    /**
     * @param root     an existing directory; its real path (links resolved) becomes {@code /}
     * @param readOnly true to refuse every change
     */
    public JailFileSystemProvider(Path root, boolean readOnly) throws IOException {
        this.root = root.toRealPath();
        this.host = this.root.getFileSystem().provider();
        if (!host.readAttributes(this.root, BasicFileAttributes.class).isDirectory()) {
            throw new NotDirectoryException(root.toString());
        }
        this.fileSystem = new JailFileSystem(this, this.root, readOnly);
    }

    /** The session's file system; closing it leaves the root's file system open. */
    public JailFileSystem fileSystem() {
        return fileSystem;
    }

    @Override
    public String getScheme() {
        return "sklad-jail";
    }

    // ---- path resolution -------------------------------------------------------------------------------

    /** Names of {@code path} made absolute and normalised, never above the root. */
    private List<String> lexicalNames(Path path) {
        RootedPath rooted = jailPath(path);
        Path absolute = rooted.toAbsolutePath();
        List<String> names = new ArrayList<>(absolute.getNameCount());
        for (Path name : absolute) {
            String s = name.toString();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
                continue;
            }
            names.add(s);
        }
        return names;
    }

    private RootedPath jailPath(Path path) {
        if (!(path instanceof RootedPath rooted) || rooted.getFileSystem() != fileSystem) {
            throw new ProviderMismatchException("not a path of this session: " + path);
        }
        return rooted;
    }

    /**
     * The real path behind {@code path}: every name is looked up without following links, and a link
     * (except the last name when {@code followLast} is false) is replaced by its target. Names past the
     * first missing one are appended as they are: the call reports them missing or creates the last one.
     */
    Path resolve(Path path, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(lexicalNames(path));
        Path current = root;
        int hops = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = requireInside(current.getParent(), path);
                continue;
            }
            Path next = current.resolve(name);
            if (todo.isEmpty() && !followLast) {
                current = next;
                break;
            }
            BasicFileAttributes attrs;
            try {
                attrs = host.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                current = appendMissing(next, todo, path);
                break;
            }
            if (!attrs.isSymbolicLink()) {
                current = next;
                continue;
            }
            if (++hops > MAX_LINK_HOPS) {
                throw new FileSystemLoopException(path.toString());
            }
            Path target = host.readSymbolicLink(next);
            if (target.isAbsolute()) {
                Path normal = requireInside(target.normalize(), path);
                target = root.relativize(normal);
                current = root;
            }
            for (int i = target.getNameCount() - 1; i >= 0; i--) {
                todo.addFirst(target.getName(i).toString());
            }
        }
        return requireInside(current, path);
    }

    private Path appendMissing(Path missing, Deque<String> rest, Path path) throws NoSuchFileException {
        Path result = missing;
        for (String name : rest) {
            if (name.equals("..")) {
                // the kernel would fail on the missing directory before it could climb
                throw new NoSuchFileException(path.toString());
            }
            if (!name.isEmpty() && !name.equals(".")) {
                result = result.resolve(name);
            }
        }
        return result;
    }

    private Path requireInside(Path hostPath, Path path) throws AccessDeniedException {
        if (hostPath == null || !hostPath.startsWith(root)) {
            throw new AccessDeniedException(path.toString(), null, "outside the root");
        }
        return hostPath;
    }

    private Path resolveFollowing(Path path, Collection<?> options) throws IOException {
        return resolve(path, !options.contains(LinkOption.NOFOLLOW_LINKS));
    }

    private void requireWritable(Path path) throws AccessDeniedException {
        if (fileSystem.isReadOnly()) {
            throw new AccessDeniedException(String.valueOf(path), null, "read-only");
        }
    }

    private void requireWritable(Path path, Collection<?> options) throws AccessDeniedException {
        for (Object option : options) {
            if (WRITE_OPTIONS.contains(option)) {
                requireWritable(path);
                return;
            }
        }
    }

    /** The jailed name of a host path, for messages; never reveals where the root is. */
    private String clientName(String hostName) {
        if (hostName == null) {
            return null;
        }
        Path hostPath = root.getFileSystem().getPath(hostName);
        if (!hostPath.isAbsolute()) {
            return hostName;
        }
        if (!hostPath.startsWith(root)) {
            Path name = hostPath.getFileName();
            return name == null ? "/" : name.toString();
        }
        StringBuilder sb = new StringBuilder();
        for (Path name : root.relativize(hostPath)) {
            if (!name.toString().isEmpty()) {
                sb.append('/').append(name);
            }
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** Same exception class, names as the client sees them: MINA maps the class to the SFTP status. */
    private IOException translate(IOException e) {
        if (!(e instanceof FileSystemException fse)) {
            return e;
        }
        String file = clientName(fse.getFile());
        String other = clientName(fse.getOtherFile());
        String reason = fse.getReason();
        FileSystemException translated;
        if (e instanceof NoSuchFileException) {
            translated = new NoSuchFileException(file, other, reason);
        } else if (e instanceof FileAlreadyExistsException) {
            translated = new FileAlreadyExistsException(file, other, reason);
        } else if (e instanceof DirectoryNotEmptyException) {
            translated = new DirectoryNotEmptyException(file);
        } else if (e instanceof NotDirectoryException) {
            translated = new NotDirectoryException(file);
        } else if (e instanceof AccessDeniedException) {
            translated = new AccessDeniedException(file, other, reason);
        } else if (e instanceof NotLinkException) {
            translated = new NotLinkException(file, other, reason);
        } else if (e instanceof AtomicMoveNotSupportedException) {
            translated = new AtomicMoveNotSupportedException(file, other, reason);
        } else if (e instanceof FileSystemLoopException) {
            translated = new FileSystemLoopException(file);
        } else {
            translated = new FileSystemException(file, other, reason);
        }
        translated.initCause(e);
        return translated;
    }

    @FunctionalInterface
    private interface HostCall<T> {
        T call() throws IOException;
    }

    @FunctionalInterface
    private interface HostRun {
        void run() throws IOException;
    }

    private <T> T onHost(HostCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private void onHost(HostRun run) throws IOException {
        onHost(() -> {
            run.run();
            return null;
        });
    }

    // ---- FileSystemProvider ------------------------------------------------------------------------------

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        List<OpenOption> opts = Arrays.asList(options);
        requireWritable(path, opts);
        return onHost(() -> host.newInputStream(resolveFollowing(path, opts), options));
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        requireWritable(path);
        return onHost(() -> host.newOutputStream(resolveFollowing(path, Arrays.asList(options)), options));
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        requireWritable(path, options);
        return onHost(() -> host.newFileChannel(resolveFollowing(path, options), options, attrs));
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        requireWritable(path, options);
        return onHost(() -> host.newByteChannel(resolveFollowing(path, options), options, attrs));
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        requireWritable(path, options);
        return onHost(() -> host.newAsynchronousFileChannel(resolveFollowing(path, options), options, executor,
                attrs));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        Path jailedDir = fileSystem.getPath("/", lexicalNames(dir).toArray(String[]::new));
        DirectoryStream<Path> entries = onHost(() -> host.newDirectoryStream(resolve(dir, true), entry -> true));
        return new JailDirectoryStream(entries, jailedDir, filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        requireWritable(dir);
        onHost(() -> host.createDirectory(resolve(dir, false), attrs));
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        requireWritable(link);
        Path relative = insideTarget(link, target);
        onHost(() -> host.createSymbolicLink(resolve(link, false), relative, attrs));
    }

    /**
     * The target of a new link as a relative host path that stays inside the root when read from the link's
     * directory; absolute targets are made relative so the tree can move (a volume has no fixed host path).
     */
    private Path insideTarget(Path link, Path target) throws AccessDeniedException {
        List<String> linkDir = lexicalNames(link);
        if (linkDir.isEmpty()) {
            throw new AccessDeniedException("/", null, "cannot replace the root");
        }
        linkDir.remove(linkDir.size() - 1);
        String text = target.toString();
        List<String> targetNames;
        if (text.startsWith("/")) {
            targetNames = lexicalNames(fileSystem.getPath(text));
        } else {
            targetNames = new ArrayList<>(linkDir);
            for (String name : text.split("/")) {
                if (name.equals("..")) {
                    if (targetNames.isEmpty()) {
                        throw new AccessDeniedException(link.toString(), text, "link target outside the root");
                    }
                    targetNames.remove(targetNames.size() - 1);
                } else if (!name.isEmpty() && !name.equals(".")) {
                    targetNames.add(name);
                }
            }
        }
        int common = 0;
        while (common < linkDir.size() && common < targetNames.size()
                && linkDir.get(common).equals(targetNames.get(common))) {
            common++;
        }
        List<String> parts = new ArrayList<>();
        for (int i = common; i < linkDir.size(); i++) {
            parts.add("..");
        }
        parts.addAll(targetNames.subList(common, targetNames.size()));
        if (parts.isEmpty()) {
            parts.add(".");
        }
        return root.getFileSystem().getPath(parts.get(0), parts.subList(1, parts.size()).toArray(String[]::new));
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        requireWritable(link);
        onHost(() -> host.createLink(resolve(link, false), resolve(existing, false)));
    }

    @Override
    public void delete(Path path) throws IOException {
        requireWritable(path);
        onHost(() -> host.delete(resolve(path, false)));
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        requireWritable(path);
        return onHost(() -> host.deleteIfExists(resolve(path, false)));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        Path target = onHost(() -> host.readSymbolicLink(resolve(link, false)));
        if (!target.isAbsolute()) {
            return fileSystem.getPath(target.toString());
        }
        Path normal = requireInside(target.normalize(), link);
        return fileSystem.getPath(clientName(normal.toString()));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        requireWritable(target);
        List<CopyOption> opts = Arrays.asList(options);
        onHost(() -> host.copy(resolveFollowing(source, opts), resolve(target, false), options));
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        requireWritable(source);
        onHost(() -> host.move(resolve(source, false), resolve(target, false), options));
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return onHost(() -> host.isSameFile(resolve(path, true), resolve(path2, true)));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return onHost(() -> host.isHidden(resolve(path, true)));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return onHost(() -> host.getFileStore(resolve(path, true)));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        if (Arrays.asList(modes).contains(AccessMode.WRITE)) {
            requireWritable(path);
        }
        onHost(() -> host.checkAccess(resolve(path, true), modes));
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return onHost(() -> host.readAttributes(resolveFollowing(path, Arrays.asList(options)), type, options));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        return onHost(() -> host.readAttributes(resolveFollowing(path, Arrays.asList(options)), attributes,
                options));
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        requireWritable(path);
        onHost(() -> {
            SetTarget t = setTarget(path, options);
            host.setAttribute(t.hostPath(), attribute, value, t.options());
        });
    }

    /** Where an attribute change lands on the host, and how the host is to treat a link there. */
    private record SetTarget(Path hostPath, LinkOption[] options) {
    }

    /**
     * The file a path reaches, or the symlink itself when the path ends in a link whose target does not exist
     * (yet). sshfs sends lchown and lutimes as SETSTAT, which follows links, so `cp -a` onto an sshfs mount failed
     * for a relative link copied before its target (OpenSSH's sftp-server fails the same way); changing the link
     * is what cp asked for.
     */
    private SetTarget setTarget(Path path, LinkOption[] options) throws IOException {
        Path followed = resolveFollowing(path, Arrays.asList(options));
        if (Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS)) {
            return new SetTarget(followed, options);
        }
        try {
            host.readAttributes(followed, BasicFileAttributes.class);
            return new SetTarget(followed, options);
        } catch (NoSuchFileException dangling) {
            // below: a link to nothing takes the change itself
        }
        Path link = resolve(path, false);
        if (host.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink()) {
            return new SetTarget(link, new LinkOption[] {LinkOption.NOFOLLOW_LINKS});
        }
        return new SetTarget(followed, options);
    }

    /**
     * A view that resolves the path when used (views are lazy by contract) and refuses every
     * {@code set…} in a read-only session.
     */
    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        jailPath(path);
        if (!type.isInterface() || host.getFileAttributeView(root, type, options) == null) {
            return null;
        }
        boolean follow = !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
        Object view = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> invokeView(proxy, path, type, follow, options, method, args));
        return type.cast(view);
    }

    private Object invokeView(Object proxy, Path path, Class<? extends FileAttributeView> type, boolean follow,
            LinkOption[] options, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> args[0] == proxy;
                case "hashCode" -> System.identityHashCode(proxy);
                default -> type.getSimpleName() + "(" + path + ")";
            };
        }
        if (method.getName().startsWith("set")) {
            requireWritable(path);
        }
        FileAttributeView view;
        try {
            view = onHost(() -> {
                if (!method.getName().startsWith("set")) {
                    return host.getFileAttributeView(resolve(path, follow), type, options);
                }
                SetTarget t = setTarget(path, options);
                return host.getFileAttributeView(t.hostPath(), type, t.options());
            });
        } catch (IOException e) {
            if (Arrays.asList(method.getExceptionTypes()).contains(IOException.class)) {
                throw e;
            }
            throw new UncheckedIOException(e);
        }
        try {
            return method.invoke(view, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? translate(io) : cause;
        }
    }

    // ---- the session's single file system; MINA's global registry is not used ----------------------------

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("one file system per session; use fileSystem()");
    }

    @Override
    public FileSystem newFileSystem(Path path, Map<String, ?> env) {
        throw new UnsupportedOperationException("one file system per session; use fileSystem()");
    }

    @Override
    protected FileSystem newFileSystem(Object src, Path path, Map<String, ?> env) {
        throw new UnsupportedOperationException("one file system per session; use fileSystem()");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        return fileSystem;
    }

    @Override
    protected RootedFileSystem getFileSystem(Path path) {
        jailPath(path);
        return fileSystem;
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("paths of a session come from its file system");
    }

    /** Anything in MINA that still asks for the local path gets the checked one. */
    @Override
    protected Path resolveLocalPath(RootedPath path) {
        try {
            return resolve(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
