package io.sklad.webdav.http;

/**
 * Ends a request with an HTTP status, optionally with a DAV precondition element
 * (e.g. {@code propfind-finite-depth}) in a {@code DAV:error} body.
 */
public final class DavStatusException extends Exception {

    private final int status;
    private final String condition;

    public DavStatusException(int status, String message) {
        this(status, null, message);
    }

    public DavStatusException(int status, String condition, String message) {
        super(message, null, false, false);
        this.status = status;
        this.condition = condition;
    }

    public int status() {
        return status;
    }

    /** Local name of a {@code DAV:} precondition element, or null. */
    public String condition() {
        return condition;
    }
}
