package io.sklad.mount.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;

class FuseErrorsTest {

    @Test
    void exactExceptionClassesMapToTheirErrno() {
        assertThat(FuseErrors.errno(new NoSuchFileException("/a"))).isEqualTo(ErrorCodes.ENOENT());
        assertThat(FuseErrors.errno(new FileAlreadyExistsException("/a"))).isEqualTo(ErrorCodes.EEXIST());
        assertThat(FuseErrors.errno(new NotDirectoryException("/a"))).isEqualTo(ErrorCodes.ENOTDIR());
        assertThat(FuseErrors.errno(new DirectoryNotEmptyException("/a"))).isEqualTo(ErrorCodes.ENOTEMPTY());
        assertThat(FuseErrors.errno(new AccessDeniedException("/a"))).isEqualTo(ErrorCodes.EACCES());
        assertThat(FuseErrors.errno(new NotLinkException("/a"))).isEqualTo(ErrorCodes.EINVAL());
        assertThat(FuseErrors.errno(new AtomicMoveNotSupportedException("/a", "/b", "x"))).isEqualTo(ErrorCodes.EXDEV());
        assertThat(FuseErrors.errno(new ClosedChannelException())).isEqualTo(ErrorCodes.EBADF());
        assertThat(FuseErrors.errno(new NonWritableChannelException())).isEqualTo(ErrorCodes.EBADF());
        assertThat(FuseErrors.errno(new UnsupportedOperationException())).isEqualTo(ErrorCodes.ENOTSUP());
    }

    @Test
    void reasonsOfPlainFileSystemExceptionsAreRecognised() {
        assertThat(FuseErrors.errno(reason("Is a directory"))).isEqualTo(ErrorCodes.EISDIR());
        assertThat(FuseErrors.errno(reason("Not a directory"))).isEqualTo(ErrorCodes.ENOTDIR());
        assertThat(FuseErrors.errno(reason("File name too long"))).isEqualTo(ErrorCodes.ENAMETOOLONG());
        assertThat(FuseErrors.errno(reason("version conflict: file changed by another agent"))).isEqualTo(ErrorCodes.EBUSY());
        assertThat(FuseErrors.errno(reason("Device or resource busy"))).isEqualTo(ErrorCodes.EBUSY());
        assertThat(FuseErrors.errno(reason("Directory not empty"))).isEqualTo(ErrorCodes.ENOTEMPTY());
        assertThat(FuseErrors.errno(reason("Read-only file system"))).isEqualTo(ErrorCodes.EROFS());
        // The JDK reports a full disk as a plain IOException.
        assertThat(FuseErrors.errno(new IOException("No space left on device"))).isEqualTo(ErrorCodes.ENOSPC());
    }

    @Test
    void wrappedCausesAreUnwrapped() {
        assertThat(FuseErrors.errno(new UncheckedIOException(new NoSuchFileException("/a")))).isEqualTo(ErrorCodes.ENOENT());
    }

    @Test
    void everythingElseIsAnUnexpectedEio() {
        assertThat(FuseErrors.errno(new IOException("socket closed"))).isEqualTo(ErrorCodes.EIO());
        assertThat(FuseErrors.errno(new IOException())).isEqualTo(ErrorCodes.EIO());
        assertThat(FuseErrors.errno(new NullPointerException())).isEqualTo(ErrorCodes.EIO());
        assertThat(FuseErrors.errno(new OutOfMemoryError())).isEqualTo(ErrorCodes.EIO());
        assertThat(FuseErrors.isExpected(new IllegalStateException())).isFalse();
        assertThat(FuseErrors.isExpected(new NoSuchFileException("/a"))).isTrue();
    }

    private static FileSystemException reason(String reason) {
        return new FileSystemException("/a", null, reason);
    }
}
