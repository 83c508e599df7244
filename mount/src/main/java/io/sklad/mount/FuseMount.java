package io.sklad.mount;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.sklad.mount.fs.FuseAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseStubFS;

/**
 * A directory of any {@code java.nio.file} file system mounted through FUSE at a mount point.
 *
 * <p>{@link #mount} clears a stale mount left by a killed process, runs the libfuse loop on a
 * thread of its own and returns only once the kernel lists the mount in
 * {@code /proc/self/mountinfo} (jnr-fuse's non-blocking mount merely waits two seconds and
 * assumes success). {@link #close()} unmounts and closes every handle still open; it is
 * idempotent. Register it as a shutdown hook: a JVM that ends without it leaves a stale mount
 * behind (the next {@code mount} at the same place clears it).
 *
 * <p>Expects Linux with libfuse 2. Runs as root or as a user allowed to mount FUSE; non-root
 * needs {@code fusermount} and, for {@code allow_other}, {@code user_allow_other} in
 * {@code /etc/fuse.conf}.
 */
public final class FuseMount implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);

    private static final Path DEV_FUSE = Path.of("/dev/fuse");
    private static final String NOT_CONNECTED = "Transport endpoint is not connected";
    private static final long COMMAND_TIMEOUT_SECONDS = 10;
    private static final long PROBE_INTERVAL_MILLIS = 10;

    private final FuseAdapter adapter;
    private final Path mountPoint;
    private final MountOptions options;
    private final CompletableFuture<Void> loop = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FuseMount(FuseAdapter adapter, Path mountPoint, MountOptions options) {
        this.adapter = adapter;
        this.mountPoint = mountPoint;
        this.options = options;
    }

    /**
     * Mounts {@code root} at {@code mountPoint} and waits until the mount is really there.
     *
     * @throws FuseUnavailableException when this machine cannot do FUSE (the message says why)
     * @throws FileSystemException      when {@code root} is not a directory, or the mount point is
     *                                  missing, not empty, already in use, or holds a stale mount
     *                                  that cannot be cleared
     * @throws IOException              when libfuse fails or the mount does not appear in time
     */
    public static FuseMount mount(Path root, Path mountPoint, MountOptions options) throws IOException {
        return mount(root, mountPoint, options, FuseAdapter::new);
    }

    /**
     * As {@link #mount(Path, Path, MountOptions)}, with the adapter made by {@code adapterFactory}
     * from {@code root} (another default owner, a subclass for tests).
     */
    public static FuseMount mount(Path root, Path mountPoint, MountOptions options,
                                  Function<Path, FuseAdapter> adapterFactory) throws IOException {
        Optional<String> unavailable = unavailableReason();
        if (unavailable.isPresent()) {
            throw new FuseUnavailableException(unavailable.get());
        }
        if (!Files.readAttributes(root, BasicFileAttributes.class).isDirectory()) {
            throw new NotDirectoryException(root.toString());
        }
        Path absolute = mountPoint.toAbsolutePath().normalize();
        clearStaleMount(absolute);
        Path real = checkMountPoint(absolute, options);
        FuseMount mount = new FuseMount(adapterFactory.apply(root), real, options);
        mount.start();
        mount.awaitMounted();
        log.info("Mounted {} at {} ({})", root.toUri(), real, options.singleThreaded() ? "single-threaded" : "multi-threaded");
        return mount;
    }

    /**
     * Why FUSE cannot be used here, or empty when it can: {@code /dev/fuse} must exist and
     * {@code libfuse.so.2} (Debian/Ubuntu package {@code libfuse2}) must load.
     */
    public static Optional<String> unavailableReason() {
        if (!Files.exists(DEV_FUSE)) {
            return Optional.of("/dev/fuse does not exist: load the fuse kernel module (modprobe fuse)"
                    + " or, in a container, pass the device in (--device /dev/fuse --cap-add SYS_ADMIN)");
        }
        try {
            // Loads libfuse the same way the adapter will; nothing is mounted.
            new FuseStubFS();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            String detail = String.valueOf(e.getMessage());
            if (detail.contains("jffi")) {
                return Optional.of("jnr-fuse could not load its native stub (" + detail + "): "
                        + "java.io.tmpdir must be on a file system that allows exec");
            }
            return Optional.of("libfuse.so.2 could not be loaded (" + detail + "): install the FUSE 2"
                    + " library (Debian/Ubuntu: apt-get install libfuse2, on Ubuntu 24.04 libfuse2t64);"
                    + " jnr-fuse speaks FUSE 2, fuse3 alone is not enough");
        }
    }

    /** The mount point (absolute, symbolic links resolved). */
    public Path mountPoint() {
        return mountPoint;
    }

    /** The adapter serving the mount: call statistics, open handles. */
    public FuseAdapter adapter() {
        return adapter;
    }

    /** Whether the kernel lists the mount now. */
    public boolean isMounted() throws IOException {
        return MountTable.find(mountPoint).filter(e -> e.fsType().startsWith("fuse")).isPresent();
    }

    /**
     * Unmounts ({@code fusermount -u}, then {@code umount}, then a lazy {@code umount -l} when
     * the mount is busy), waits for the FUSE loop to end and closes every handle still open.
     * Later calls do nothing.
     *
     * @throws IOException when the mount point is still mounted afterwards
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!loop.isDone() && isMounted()) {
                unmount(mountPoint, this::isMounted);
            }
            awaitLoopEnd();
        } finally {
            adapter.umount();
            adapter.close();
        }
        log.info("Unmounted {}", mountPoint);
    }

    private void start() {
        String[] arguments = options.toFuseArguments().toArray(String[]::new);
        Thread thread = new Thread(() -> {
            try {
                // Blocking: returns when the file system is unmounted.
                adapter.mount(mountPoint, true, options.debug(), arguments);
                loop.complete(null);
            } catch (Throwable t) {
                loop.completeExceptionally(t);
            }
        }, "sklad-fuse " + mountPoint);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitMounted() throws IOException {
        long deadline = System.nanoTime() + options.mountTimeout().toNanos();
        try {
            while (!isMounted()) {
                if (loop.isDone()) {
                    throw new IOException("FUSE mount at " + mountPoint + " failed: " + loopFailure()
                            + " (libfuse writes the reason to stderr)");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("FUSE mount at " + mountPoint + " did not appear in"
                            + " /proc/self/mountinfo within " + options.mountTimeout().toMillis() + " ms");
                }
                Thread.sleep(PROBE_INTERVAL_MILLIS);
            }
        } catch (IOException | InterruptedException e) {
            abandon();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while mounting at " + mountPoint);
            }
            throw (IOException) e;
        }
    }

    /** Undoes a mount that failed half-way; its own failures are only logged. */
    private void abandon() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            log.warn("Cleaning up the failed mount at {} failed", mountPoint, e);
        }
    }

    private String loopFailure() {
        try {
            loop.getNow(null);
            return "the FUSE loop ended at once";
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            StringBuilder message = new StringBuilder(String.valueOf(cause.getMessage()));
            for (Throwable c = cause.getCause(); c != null; c = c.getCause()) {
                message.append(": ").append(c.getMessage());
            }
            return message.toString();
        }
    }

    private void awaitLoopEnd() {
        try {
            loop.get(options.unmountTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            log.debug("FUSE loop at {} ended with {}", mountPoint, e.getCause().toString());
        } catch (TimeoutException e) {
            log.warn("FUSE loop at {} still running {} ms after unmounting; closing its handles anyway",
                    mountPoint, options.unmountTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- mount point checks -------------------------------------------------------------------

    private static Path checkMountPoint(Path mountPoint, MountOptions options) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(mountPoint, BasicFileAttributes.class);
        if (!attrs.isDirectory()) {
            throw new FileSystemException(mountPoint.toString(), null, "mount point is not a directory");
        }
        Path real = mountPoint.toRealPath();
        if (MountTable.find(real).isPresent()) {
            throw new FileSystemException(real.toString(), null, "something is already mounted here");
        }
        if (!options.nonEmpty()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(real)) {
                if (entries.iterator().hasNext()) {
                    throw new FileSystemException(real.toString(), null,
                            "mount point is not empty (MountOptions.nonEmpty mounts over it)");
                }
            }
        }
        return real;
    }

    /**
     * A process killed without unmounting leaves its mount behind, answering every call with
     * ENOTCONN; libfuse cannot mount over it.
     */
    private static void clearStaleMount(Path mountPoint) throws IOException {
        if (!isStale(mountPoint)) {
            return;
        }
        log.warn("Clearing the stale FUSE mount at {} (its process ended without unmounting)", mountPoint);
        unmount(mountPoint, () -> isStale(mountPoint));
        if (isStale(mountPoint)) {
            throw new FileSystemException(mountPoint.toString(), null, "stale FUSE mount could not be"
                    + " cleared; try: fusermount -u " + mountPoint + " or umount -l " + mountPoint);
        }
    }

    private static boolean isStale(Path mountPoint) throws IOException {
        try {
            Files.readAttributes(mountPoint, BasicFileAttributes.class);
            return false;
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains(NOT_CONNECTED)) {
                return true;
            }
            throw e;
        }
    }

    /** Tries ever stronger ways until {@code stillMounted} says the mount is gone. */
    private static void unmount(Path mountPoint, MountCheck stillMounted) throws IOException {
        String path = mountPoint.toString();
        List<List<String>> attempts = List.of(
                List.of("fusermount", "-u", path),
                List.of("fusermount3", "-u", path),
                List.of("umount", path),
                List.of("umount", "-l", path));
        for (List<String> command : attempts) {
            if (!stillMounted.test()) {
                return;
            }
            if (command.contains("-l")) {
                log.info("{} is busy; detaching it lazily, the FUSE loop ends when its last open file closes", path);
            }
            run(command);
        }
        if (stillMounted.test()) {
            throw new FileSystemException(path, null, "could not unmount (tried fusermount -u, umount, umount -l)");
        }
    }

    @FunctionalInterface
    private interface MountCheck {
        boolean test() throws IOException;
    }

    private static void run(List<String> command) {
        try {
            // Output is discarded: reading it could block forever on a hung mount.
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                log.warn("{} did not finish in {} s", command, COMMAND_TIMEOUT_SECONDS);
            } else if (process.exitValue() != 0) {
                log.debug("{} exited with {}", command, process.exitValue());
            }
        } catch (IOException e) {
            log.debug("{} could not run: {}", command, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
