package io.sklad.mount;

import java.io.IOException;

/**
 * FUSE cannot be used on this machine (no {@code libfuse.so.2}, no {@code /dev/fuse}, no
 * executable temp directory for jnr's stub). Callers that mount "when available" catch this,
 * say why, and go on without the drive.
 */
public class FuseUnavailableException extends IOException {

    public FuseUnavailableException(String message) {
        super(message);
    }

    public FuseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
