package io.sklad.mount.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;

class CallGuardTest {

    private final CallGuard guard = new CallGuard(60_000);

    @Test
    void resultsPassThroughAndFailuresBecomeNegativeErrno() {
        assertThat(guard.call("read", "/f", () -> 42)).isEqualTo(42);
        assertThat(guard.call("getattr", "/f", () -> {
            throw new NoSuchFileException("/f");
        })).isEqualTo(-ErrorCodes.ENOENT());
        assertThat(guard.call("write", "/f", () -> {
            throw new IllegalStateException("bug");
        })).isEqualTo(-ErrorCodes.EIO());
        assertThat(guard.call("write", "/f", () -> {
            throw new StackOverflowError();
        })).isEqualTo(-ErrorCodes.EIO());
    }

    @Test
    void everyCallIsCountedAndTimed() {
        guard.call("read", "/f", () -> 1);
        guard.call("read", "/f", () -> -ErrorCodes.EBADF());
        guard.call("read", "/f", () -> {
            throw new NoSuchFileException("/f");
        });

        CallStats read = guard.stats().get("read");
        assertThat(read.calls()).isEqualTo(3);
        assertThat(read.errors()).isEqualTo(2);
        assertThat(read.totalNanos()).isPositive();
        assertThat(read.maxNanos()).isPositive().isLessThanOrEqualTo(read.totalNanos());
    }
}
