package io.sklad.metadata.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A metadata operation failed for a reason the caller can act on. Unchecked so that one
 * exception type crosses the store and the gRPC layer; {@link #toNioException()} gives the exact
 * {@code java.nio.file} exception for Java callers.
 */
public final class MetadataException extends RuntimeException {
    private final MetaError code;
    private final String path;
    private final String otherPath;

    public MetadataException(MetaError code, String message, String path, String otherPath) {
        super(message);
        this.code = code;
        this.path = path;
        this.otherPath = otherPath;
    }

    public MetadataException(MetaError code, String message, String path) {
        this(code, message, path, null);
    }

    public MetadataException(MetaError code, String message) {
        this(code, message, null, null);
    }

    public MetaError code() {
        return code;
    }

    /** The path the error is about, or null. */
    public String path() {
        return path;
    }

    /** The second path (rename or copy target), or null. */
    public String otherPath() {
        return otherPath;
    }

    /** The matching {@code java.nio.file} exception. */
    public FileSystemException toNioException() {
        FileSystemException e = switch (code) {
            case NOT_FOUND, UNKNOWN_VOLUME -> new NoSuchFileException(path, otherPath, getMessage());
            case ALREADY_EXISTS -> new FileAlreadyExistsException(path, otherPath, getMessage());
            case NOT_DIRECTORY -> new NotDirectoryException(path);
            case NOT_EMPTY -> new DirectoryNotEmptyException(path);
            case ACCESS_DENIED -> new AccessDeniedException(path, otherPath, getMessage());
            default -> new FileSystemException(path, otherPath, getMessage());
        };
        e.initCause(this);
        return e;
    }
}
