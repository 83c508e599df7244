package io.sklad.vfs;

/**
 * The reason strings of the {@link java.nio.file.FileSystemException}s the agent throws where the JDK has no
 * dedicated exception class. Frontends map on these (errno, HTTP status, SFTP status), so they are a contract.
 */
public final class SkladReasons {
    public static final String IS_DIRECTORY = "Is a directory";
    public static final String INVALID_NAME = "Invalid name";
    /** Prefix: the rest says what conflicted (stale base version, lease held by another writer). */
    public static final String CONFLICT = "Conflict: ";
    public static final String NO_SPACE = "No space left";
    public static final String NOT_SUPPORTED = "Operation not supported";
    public static final String INVALID_ARGUMENT = "Invalid argument";
    public static final String UNAVAILABLE = "Unavailable";
    public static final String CORRUPT = "Corrupt";
    public static final String UNAUTHENTICATED = "Unauthenticated";
    public static final String READ_ONLY = "Read-only file system";
    /**
     * Prefix: another agent holds a lease on the file ("Busy: /vol/f is being written by another client");
     * FUSE answers EBUSY, WebDAV 423 Locked.
     */
    public static final String BUSY = "Busy: ";

    private SkladReasons() {
    }
}
