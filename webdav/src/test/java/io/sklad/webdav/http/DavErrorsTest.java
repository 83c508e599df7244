package io.sklad.webdav.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** The reasons the Sklad file system gives in a {@link FileSystemException}, as HTTP statuses. */
class DavErrorsTest {

    private static int status(String reason) {
        return DavErrors.status(new FileSystemException("/main/f", null, reason));
    }

    @Test
    void anotherClientsLeaseIsLockedNotAServerError() {
        assertThat(status("Busy: /main/f is being written by another client")).isEqualTo(423);
        assertThat(status("Busy: /main/f is locked by another client")).isEqualTo(423);
    }

    @Test
    void otherReasonsOfTheSkladFileSystem() {
        assertThat(status("Conflict: stale base version")).isEqualTo(409);
        assertThat(status("No space left")).isEqualTo(507);
        assertThat(status("Read-only file system")).isEqualTo(403);
        assertThat(status("Invalid name")).isEqualTo(400);
        assertThat(status("Invalid argument: block size")).isEqualTo(400);
        assertThat(status("Is a directory")).isEqualTo(409);
        assertThat(status("Unavailable: master unreachable")).isEqualTo(503);
        assertThat(status("Corrupt: block a1b2")).isEqualTo(500);
    }
}
