package io.sklad.vfs.fs;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.attr.AttributeStrings;
import io.sklad.vfs.attr.NumericPrincipalLookup;
import io.sklad.vfs.client.BlockAccess;
import io.sklad.vfs.client.ChunkClient;
import io.sklad.vfs.client.ChunkTokenSource;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.EntryKind;
import io.sklad.vfs.client.FileVersionInfo;
import io.sklad.vfs.client.GrpcChunkClient;
import io.sklad.vfs.client.CachingMetadataClient;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.codec.BlockCodec;
import io.sklad.vfs.io.BlockCache;
import io.sklad.vfs.io.BlockReader;
import io.sklad.vfs.io.BlockUploader;
import io.sklad.vfs.io.OpenFile;
import io.sklad.vfs.io.OpenFileRegistry;
import io.sklad.vfs.io.SkladFileChannel;
import io.sklad.vfs.io.VersionSnapshot;
import io.sklad.vfs.lease.LeaseKeeper;
import io.sklad.vfs.lease.SkladLock;
import io.sklad.vfs.placement.PlacementPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Sklad cluster as a {@code java.nio.file} file system: paths are {@code /VOLUME/dir/file}, the root lists
 * the volumes the user may access. Every frontend (FUSE, WebDAV, SFTP, the CLI) goes through this class only.
 * Beyond NIO it offers versions ({@link #listVersions}, {@link #openVersion}) and volume and cluster calls.
 *
 * <p>Composition: a {@link MetadataClient} to the master, a {@link ChunkClient} to the workers, the block
 * pipeline ({@link BlockUploader}, {@link BlockReader} with its {@link BlockCache}) and the
 * {@link OpenFileRegistry} where all shared file state lives. Closing the file system closes all of them.
 */
public final class SkladFileSystem extends FileSystem {

    private static final Logger log = LoggerFactory.getLogger(SkladFileSystem.class);
    static final int MAX_NAME_BYTES = 255;
    private static final int MAX_SYMLINK_HOPS = 40;

    private final SkladFileSystemProvider provider;
    private final String authority;
    private final MetadataClient metadata;
    private final ChunkClient chunks;
    private final BlockCache cache;
    private final BlockReader reader;
    private final BlockUploader uploader;
    private final OpenFileRegistry registry;
    private final Path spillDir;
    private final FileChannel spillLock;
    private final FileOperations files;
    private final CopyMoveOperations copyMove;
    private final Map<String, VolumeInfo> volumes = new ConcurrentHashMap<>();
    private final SkladPath root;
    private final EntryInfo rootEntry;
    private final Runnable onClose;
    private final LeaseKeeper leases;
    private volatile boolean open = true;

    /**
     * Connects to the master of {@code config}, logs in and opens the work directory. The file system is not
     * registered with the provider (no URI lookup); use {@code FileSystems.newFileSystem(URI, env)} for that.
     */
    public static SkladFileSystem open(AgentConfig config) throws IOException {
        return open(SkladFileSystemProvider.instance(), config, () -> {
        });
    }

    static SkladFileSystem open(SkladFileSystemProvider provider, AgentConfig config, Runnable onClose)
            throws IOException {
        GrpcMetadataClient metadata = new GrpcMetadataClient(config.masterAddress(), config.rpcTimeout());
        ChunkTokenSource chunkToken;
        try {
            BlockAccess initial = null;
            if (config.password() != null) {
                LoginResult login = metadata.login(config.user(), config.password());
                initial = new BlockAccess(login.chunkToken(), expiryOf(login.chunkToken()));
            } else {
                metadata.useToken(config.token());
            }
            chunkToken = new ChunkTokenSource(metadata, initial);
        } catch (IOException | RuntimeException e) {
            metadata.close();
            throw e;
        }
        GrpcChunkClient chunks = new GrpcChunkClient(chunkToken, config.rpcTimeout());
        try {
            return new SkladFileSystem(provider, config.masterAddress(), config, metadata, chunks, onClose);
        } catch (IOException | RuntimeException e) {
            chunks.close();
            metadata.close();
            throw e;
        }
    }

    /** The expiry in a chunk token ("<expiresAtMillis>.<user>.<mac>"), or 0 when it has none. */
    static long expiryOf(String chunkToken) {
        if (chunkToken == null) {
            return 0;
        }
        int dot = chunkToken.indexOf('.');
        try {
            return dot > 0 ? Long.parseLong(chunkToken.substring(0, dot)) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Over clients built elsewhere; the file system owns and closes them. */
    SkladFileSystem(SkladFileSystemProvider provider, String authority, AgentConfig config, MetadataClient master,
                    ChunkClient chunks, Runnable onClose) throws IOException {
        this.provider = provider;
        this.authority = authority;
        // everything in this agent goes through the cache, so every change it makes also empties it
        this.metadata = new CachingMetadataClient(master, config.attributeTtl(), 100_000);
        this.chunks = chunks;
        this.onClose = onClose;
        Path work = config.workDir().toAbsolutePath();
        Files.createDirectories(work);
        this.spillDir = work.resolve("spill").resolve(UUID.randomUUID().toString());
        Files.createDirectories(spillDir);
        this.spillLock = FileChannel.open(spillDir.resolve("owner.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        spillLock.lock();
        removeStaleSpills(work.resolve("spill"));
        BlockCodec codec = new BlockCodec();
        this.cache = new BlockCache(work.resolve("cache"), config.cacheBytes());
        this.reader = new BlockReader(this.metadata, chunks, codec, cache);
        this.uploader = new BlockUploader(this.metadata, chunks, codec, new PlacementPolicy(), config.uploadParallelism());
        this.registry = new OpenFileRegistry(this.metadata, reader, uploader, spillDir, work.resolve("uncommitted"));
        // one holder per file system: the master tells agents apart by it, and passes this agent's own commits
        String holder = UUID.randomUUID().toString();
        this.metadata.useLeaseHolder(holder);
        this.leases = new LeaseKeeper(this.metadata, holder, LeaseKeeper.DEFAULT_TTL);
        this.files = new FileOperations(this);
        this.copyMove = new CopyMoveOperations(this);
        this.root = new SkladPath(this, "/");
        long now = System.currentTimeMillis();
        this.rootEntry = new EntryInfo("", 0, EntryKind.DIRECTORY, 0, 0, 0555, 0, 0, now, now, now, now, "");
        log.info("Sklad file system on {} opened for {} (work dir {})", authority, config.user(), work);
    }

    /** Spill directories of agents that are gone (crash): their owner lock is free. */
    private void removeStaleSpills(Path spillRoot) {
        try (Stream<Path> dirs = Files.list(spillRoot)) {
            for (Path dir : dirs.filter(d -> !d.equals(spillDir)).toList()) {
                try (FileChannel lock = FileChannel.open(dir.resolve("owner.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    if (lock.tryLock() == null) {
                        continue;
                    }
                } catch (OverlappingFileLockException e) {
                    continue; // held by another file system in this JVM
                }
                deleteTree(dir);
                log.info("removed stale spill directory {}", dir);
            }
        } catch (IOException e) {
            log.warn("could not clean stale spill directories: {}", e.toString());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ parts, for the operations

    String authority() {
        return authority;
    }

    MetadataClient metadata() {
        return metadata;
    }

    OpenFileRegistry registry() {
        return registry;
    }

    LeaseKeeper leases() {
        return leases;
    }

    FileOperations files() {
        return files;
    }

    CopyMoveOperations copyMove() {
        return copyMove;
    }

    void checkOpen() {
        if (!open) {
            throw new ClosedFileSystemException();
        }
    }

    SkladPath checkPath(Path p) {
        if (!(p instanceof SkladPath sp)) {
            throw new ProviderMismatchException("not a Sklad path: " + p);
        }
        if (sp.getFileSystem() != this) {
            throw new ProviderMismatchException("path of another Sklad file system: " + p);
        }
        return sp;
    }

    /**
     * Checks and splits a path: {@code .} components are dropped, {@code ..} and names over 255 bytes are
     * refused with reason {@link SkladReasons#INVALID_NAME} (nothing is resolved lexically across volumes).
     */
    Location locate(Path p) throws FileSystemException {
        checkOpen();
        SkladPath abs = checkPath(p).toAbsolutePath();
        List<String> names = new ArrayList<>();
        for (String n : abs.names()) {
            if (n.equals(".")) {
                continue;
            }
            if (n.equals("..") || n.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new FileSystemException(abs.toString(), null, SkladReasons.INVALID_NAME);
            }
            names.add(n);
        }
        if (names.isEmpty()) {
            return new Location(root, null, "/");
        }
        return new Location(abs, names.get(0), "/" + String.join("/", names.subList(1, names.size())));
    }

    /**
     * The entry at a location, following symbolic links when asked; open files show their in-flight size.
     * May be up to {@link AgentConfig#attributeTtl()} old when another agent changed it (see
     * {@link CachingMetadataClient}).
     */
    Stat stat(Location location, boolean follow) throws IOException {
        return stat(location, follow, false);
    }

    /** The entry at a location as the master has it now: what an open uses (close-to-open consistency). */
    Stat statFresh(Location location, boolean follow) throws IOException {
        return stat(location, follow, true);
    }

    private Stat stat(Location location, boolean follow, boolean fresh) throws IOException {
        Location at = location;
        for (int hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
            EntryInfo entry = at.isRoot() ? rootEntry
                    : fresh ? metadata.statUncached(at.volume(), at.inVolume()) : metadata.stat(at.volume(), at.inVolume());
            if (!follow || !entry.isSymlink()) {
                return new Stat(at, withOpenChanges(at, entry));
            }
            String target = entry.symlinkTarget();
            SkladPath next = target.startsWith("/") ? new SkladPath(this, target)
                    : (SkladPath) at.path().getParent().resolve(new SkladPath(this, target));
            at = locate(next.normalize());
        }
        throw new FileSystemException(location.path().toString(), null, "Too many levels of symbolic links");
    }

    private EntryInfo withOpenChanges(Location at, EntryInfo entry) {
        if (!entry.isFile()) {
            return entry;
        }
        Optional<OpenFile> open = registry.find(at.volume(), entry.inode());
        return open.map(f -> f.overlay(entry)).orElse(entry);
    }

    /** A volume's settings, cached (they never change). */
    VolumeInfo volume(Location at) throws IOException {
        VolumeInfo v = volumes.get(at.volume());
        if (v == null) {
            metadata.listVolumes().forEach(info -> volumes.put(info.name(), info));
            v = volumes.get(at.volume());
        }
        if (v == null) {
            throw new NoSuchFileException(at.path().toString(), null, "Unknown volume");
        }
        return v;
    }

    Path realPath(SkladPath path, boolean follow) throws IOException {
        Location at = locate(path.normalize());
        Stat s = stat(at, follow);
        return s.location().path().normalize();
    }

    // ------------------------------------------------------------------ java.nio.file.FileSystem

    @Override
    public SkladFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        try {
            registry.close();
            leases.close(); // after the last commits: they ran under these leases
            uploader.close();
            reader.close();
            cache.close();
            chunks.close();
            metadata.close();
            spillLock.close();
            deleteTree(spillDir);
        } finally {
            onClose.run();
            log.info("Sklad file system on {} closed", authority);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(root);
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        List<FileStore> stores = new ArrayList<>();
        try {
            for (VolumeInfo v : listVolumes()) {
                stores.add(new SkladFileStore(this, v.name()));
            }
        } catch (IOException e) {
            log.warn("could not list volumes: {}", e.toString());
        }
        return stores;
    }

    SkladFileStore fileStore(Location at) {
        return new SkladFileStore(this, at.volume());
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return VIEWS;
    }

    /** The string-form views plus {@code user} (user-defined attributes, through their view only). */
    private static final Set<String> VIEWS = java.util.stream.Stream.concat(AttributeStrings.VIEWS.stream(),
            Stream.of("user")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /**
     * Whether the user may write the volume of {@code at}: asked of the master, remembered for a few seconds
     * (a grant changed by an admin shows within that time; access(2) and isWritable should not cost a call each).
     */
    boolean volumeWritable(Location at) throws IOException {
        if (at.isRoot()) {
            return false;
        }
        long now = System.nanoTime();
        WritableAnswer known = writable.get(at.volume());
        if (known != null && now - known.atNanos() < WRITABLE_TTL_NANOS) {
            return known.writable();
        }
        boolean w = metadata.volumeWritable(at.volume());
        writable.put(at.volume(), new WritableAnswer(w, now));
        return w;
    }

    private static final long WRITABLE_TTL_NANOS = Duration.ofSeconds(5).toNanos();

    private record WritableAnswer(boolean writable, long atNanos) {
    }

    private final Map<String, WritableAnswer> writable = new ConcurrentHashMap<>();

    @Override
    public SkladPath getPath(String first, String... more) {
        StringBuilder sb = new StringBuilder(first);
        for (String m : more) {
            if (!m.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(m);
            }
        }
        return new SkladPath(this, sb.toString());
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        int colon = syntaxAndPattern.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
        }
        String syntax = syntaxAndPattern.substring(0, colon);
        String pattern = syntaxAndPattern.substring(colon + 1);
        Pattern regex = switch (syntax.toLowerCase(java.util.Locale.ROOT)) {
            case "glob" -> Pattern.compile(Globs.toRegex(pattern));
            case "regex" -> Pattern.compile(pattern);
            default -> throw new UnsupportedOperationException("Syntax '" + syntax + "' not recognized");
        };
        return path -> regex.matcher(path.toString()).matches();
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return new NumericPrincipalLookup();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("watching is not supported by Sklad");
    }

    // ------------------------------------------------------------------ beyond NIO

    /** The committed versions of a file, oldest first. */
    public List<FileVersionInfo> listVersions(Path path) throws IOException {
        Stat s = stat(locate(path), true);
        if (!s.entry().isFile()) {
            throw new FileSystemException(path.toString(), null, SkladReasons.IS_DIRECTORY);
        }
        return metadata.listVersions(s.location().volume(), s.location().inVolume());
    }

    /** A read-only channel on one committed version of a file. */
    public FileChannel openVersion(Path path, long version) throws IOException {
        Stat s = stat(locate(path), true);
        if (!s.entry().isFile()) {
            throw new FileSystemException(path.toString(), null, SkladReasons.IS_DIRECTORY);
        }
        Location at = s.location();
        EntryInfo v = metadata.statVersion(at.volume(), at.inVolume(), version);
        VolumeInfo volume = volume(at);
        VersionSnapshot snapshot = new VersionSnapshot(metadata, reader, at.volume(), v.inode(), version, v.size(),
                volume.blockSize());
        return new SkladFileChannel(snapshot, true, false, false, ownChanges -> {
        });
    }

    /**
     * Creates a volume.
     *
     * @param replicas  0 = the master's default (3)
     * @param blockSize 0 = the master's default (64 KiB); a power of two from 16 KiB to 4 MiB
     */
    public VolumeInfo createVolume(String name, int replicas, int blockSize) throws IOException {
        checkOpen();
        if (name.isEmpty() || name.contains("/") || name.indexOf('\0') >= 0 || name.equals(".")
                || name.equals("..") || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new FileSystemException("/" + name, null, SkladReasons.INVALID_NAME);
        }
        VolumeInfo v = metadata.createVolume(name, replicas, blockSize);
        volumes.put(v.name(), v);
        return v;
    }

    /** The volumes the user may access. */
    public List<VolumeInfo> listVolumes() throws IOException {
        checkOpen();
        List<VolumeInfo> list = metadata.listVolumes();
        list.forEach(v -> volumes.put(v.name(), v));
        return list;
    }

    public ClusterStatus clusterStatus() throws IOException {
        checkOpen();
        return metadata.clusterStatus();
    }

    /** This file system's lease holder id: its writes and locks never exclude each other, only other agents'. */
    public String leaseHolder() {
        return leases.holder();
    }

    /**
     * Locks an existing file or directory against other agents (WebDAV LOCK): exclusive keeps out every other
     * agent's writers, readers' locks and locks; shared keeps out exclusive locks only. The lock is renewed at the
     * master in the background until {@code timeout} from now, {@link #renewLock} or {@link #unlock}; if this agent
     * dies, the master drops it within a minute. Held by another agent: {@link FileSystemException} with reason
     * {@link SkladReasons#BUSY}; a read-only grant cannot lock exclusively ({@link java.nio.file.AccessDeniedException}).
     */
    public SkladLock lock(Path path, boolean exclusive, Duration timeout) throws IOException {
        Stat s = stat(locate(path), true);
        Location at = s.location();
        if (at.isRoot()) {
            throw new FileSystemException(path.toString(), null, SkladReasons.NOT_SUPPORTED);
        }
        return leases.lock(at.volume(), at.inVolume(), at.path().toString(), exclusive, timeout);
    }

    /** Extends a lock to {@code timeout} from now; a lock that is gone: {@link NoSuchFileException}. */
    public SkladLock renewLock(SkladLock lock, Duration timeout) throws IOException {
        checkOpen();
        return leases.renewLock(lock.id(), timeout);
    }

    /** Releases a lock; false when it had already timed out or been released. */
    public boolean unlock(SkladLock lock) {
        return leases.unlock(lock.id());
    }

    /** Opens a directory stream (the provider's entry point). */
    DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return files.newDirectoryStream(dir, filter);
    }

    @Override
    public String toString() {
        return SkladFileSystemProvider.SCHEME + "://" + authority;
    }
}
