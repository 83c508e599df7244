package io.sklad.mount.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ru.serce.jnrfuse.ErrorCodes;

/**
 * The one place that turns a Java exception into a FUSE errno.
 *
 * <p>Exact {@code java.nio.file} exception classes map directly; a plain
 * {@link FileSystemException} or {@link IOException} is recognised by its reason, because the
 * JDK's provider (and {@code vfs} for conditions without a class of their own) report
 * {@code ENOSPC}, {@code EISDIR}, {@code ENAMETOOLONG} and friends only as text. Anything else is
 * {@code EIO} and counts as unexpected.
 */
public final class FuseErrors {

    /** Reason fragments (lower case) checked in order; the first match wins. */
    private static final List<Map.Entry<String, Integer>> REASONS = List.of(
            Map.entry("is a directory", ErrorCodes.EISDIR()),
            Map.entry("not a directory", ErrorCodes.ENOTDIR()),
            Map.entry("no space", ErrorCodes.ENOSPC()),
            Map.entry("quota", ErrorCodes.EDQUOT()),
            Map.entry("name too long", ErrorCodes.ENAMETOOLONG()),
            Map.entry("conflict", ErrorCodes.EBUSY()),
            Map.entry("busy", ErrorCodes.EBUSY()),
            Map.entry("directory not empty", ErrorCodes.ENOTEMPTY()),
            Map.entry("read-only file system", ErrorCodes.EROFS()),
            Map.entry("operation not permitted", ErrorCodes.EPERM()),
            Map.entry("permission denied", ErrorCodes.EACCES()),
            Map.entry("file exists", ErrorCodes.EEXIST()),
            Map.entry("no such file", ErrorCodes.ENOENT()),
            Map.entry("too many levels of symbolic links", ErrorCodes.ELOOP()),
            Map.entry("cross-device", ErrorCodes.EXDEV()),
            Map.entry("file too large", ErrorCodes.EFBIG()),
            Map.entry("not supported", ErrorCodes.ENOTSUP()),
            Map.entry("invalid argument", ErrorCodes.EINVAL()));

    private FuseErrors() {
    }

    /**
     * The errno (positive) for a failure; {@code EIO} when nothing more exact is known.
     * FUSE callbacks return its negation.
     */
    public static int errno(Throwable failure) {
        Throwable t = unwrap(failure);
        Integer byClass = byClass(t);
        if (byClass != null) {
            return byClass;
        }
        Integer byReason = byReason(t);
        return byReason != null ? byReason : ErrorCodes.EIO();
    }

    /**
     * Whether a failure is an ordinary answer (a missing file, a full disk) rather than a fault
     * worth a log line: everything that maps to something more exact than {@code EIO}.
     */
    public static boolean isExpected(Throwable failure) {
        return errno(failure) != ErrorCodes.EIO();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current instanceof UncheckedIOException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static Integer byClass(Throwable t) {
        if (t instanceof NoSuchFileException) {
            return ErrorCodes.ENOENT();
        } else if (t instanceof FileAlreadyExistsException) {
            return ErrorCodes.EEXIST();
        } else if (t instanceof NotDirectoryException) {
            return ErrorCodes.ENOTDIR();
        } else if (t instanceof DirectoryNotEmptyException) {
            return ErrorCodes.ENOTEMPTY();
        } else if (t instanceof AccessDeniedException) {
            return ErrorCodes.EACCES();
        } else if (t instanceof NotLinkException) {
            return ErrorCodes.EINVAL();
        } else if (t instanceof FileSystemLoopException) {
            return ErrorCodes.ELOOP();
        } else if (t instanceof AtomicMoveNotSupportedException) {
            return ErrorCodes.EXDEV();
        } else if (t instanceof ClosedByInterruptException || t instanceof InterruptedIOException
                || t instanceof InterruptedException) {
            return ErrorCodes.EINTR();
        } else if (t instanceof ClosedChannelException || t instanceof NonReadableChannelException
                || t instanceof NonWritableChannelException) {
            return ErrorCodes.EBADF();
        } else if (t instanceof ReadOnlyFileSystemException) {
            return ErrorCodes.EROFS();
        } else if (t instanceof UnsupportedOperationException) {
            return ErrorCodes.ENOTSUP();
        } else if (t instanceof InvalidPathException || t instanceof IllegalArgumentException) {
            return ErrorCodes.EINVAL();
        }
        return null;
    }

    private static Integer byReason(Throwable t) {
        if (!(t instanceof IOException)) {
            return null;
        }
        String reason = t instanceof FileSystemException fse ? fse.getReason() : t.getMessage();
        if (reason == null) {
            return null;
        }
        String lower = reason.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Integer> entry : REASONS) {
            if (lower.contains(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }
}
