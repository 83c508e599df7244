package io.sklad.webdav.http;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;

/**
 * The one mapping from {@code java.nio.file} exceptions to HTTP status codes, used by every handler.
 * The Sklad file system reports "no space", "conflict", "busy" (another client's lease), "read-only",
 * "unavailable" and the like as a {@link FileSystemException} with that reason; the reasons are matched
 * as text because this module knows nothing of the vfs.
 */
public final class DavErrors {

    public static final int INSUFFICIENT_STORAGE = 507;
    public static final int LOCKED = 423;

    /** What the failing call was doing, where the same exception means different things. */
    public enum Context {
        /** Creating a resource at a name that is taken: 405 (MKCOL, like RFC 4918 §9.3.1). */
        CREATE,
        /** Writing a destination that exists without overwrite permission: 412 (COPY/MOVE). */
        OVERWRITE,
        /** Anything else. */
        DEFAULT
    }

    private DavErrors() {
    }

    public static int status(Throwable e) {
        return status(e, Context.DEFAULT);
    }

    public static int status(Throwable e, Context context) {
        if (e instanceof DavStatusException d) {
            return d.status();
        }
        if (e instanceof NoSuchFileException) {
            return 404;
        }
        if (e instanceof FileAlreadyExistsException) {
            return context == Context.OVERWRITE ? 412 : 405;
        }
        if (e instanceof AccessDeniedException || e instanceof ReadOnlyFileSystemException) {
            return 403;
        }
        if (e instanceof DirectoryNotEmptyException || e instanceof NotDirectoryException
                || e instanceof FileSystemLoopException) {
            return 409;
        }
        if (e instanceof InvalidPathException || e instanceof InvalidNameException) {
            return 400;
        }
        if (e instanceof UnsupportedOperationException) {
            return 501;
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (e instanceof IOException && reason != null) {
            String r = reason.toLowerCase(Locale.ROOT);
            if (r.contains("no space") || r.contains("quota") || r.contains("disk full")) {
                return INSUFFICIENT_STORAGE;
            }
            // "Busy: /vol/f is being written by another client": another agent's write lease (or lock).
            if (r.startsWith("busy") || r.contains("locked") || r.contains("lease")) {
                return LOCKED;
            }
            if (r.contains("conflict")) {
                return 409;
            }
            if (r.contains("invalid name") || r.contains("name too long") || r.contains("file name too long")
                    || r.startsWith("invalid argument")) {
                return 400;
            }
            if (r.contains("read-only file system")) {
                return 403;
            }
            if (r.contains("is a directory") || r.contains("not a directory")) {
                return 409;
            }
            if (r.startsWith("unavailable")) {
                return 503;
            }
        }
        return 500;
    }

    /** A URL segment that is not a valid file name (NUL, slash, dot components, over 255 bytes). */
    public static final class InvalidNameException extends IOException {
        public InvalidNameException(String message) {
            super(message);
        }
    }
}
