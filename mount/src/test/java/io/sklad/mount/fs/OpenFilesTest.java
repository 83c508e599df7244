package io.sklad.mount.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenFilesTest {

    @TempDir
    Path dir;

    @Test
    void handlesAreDistinctAndReleaseClosesTheChannel() throws IOException {
        try (OpenFiles files = new OpenFiles()) {
            FileChannel a = open("a");
            FileChannel b = open("b");
            long fa = files.add(a, false);
            long fb = files.add(b, true);

            assertThat(fa).isPositive().isNotEqualTo(fb);
            assertThat(files.get(fa).channel()).isSameAs(a);
            files.release(fa);
            assertThat(a.isOpen()).isFalse();
            assertThat(b.isOpen()).isTrue();
            assertThatThrownBy(() -> files.get(fa)).isInstanceOf(ClosedChannelException.class);
            files.release(fa);   // twice is harmless
        }
    }

    @Test
    void closingTheTableClosesEveryChannelLeftOpen() throws IOException {
        OpenFiles files = new OpenFiles();
        FileChannel a = open("a");
        FileChannel b = open("b");
        files.add(a, false);
        files.add(b, false);

        files.close();

        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(files.size()).isZero();
    }

    @Test
    void forceIfChangedSkipsUnchangedFilesAndReportsFailures() throws IOException {
        try (OpenFiles files = new OpenFiles()) {
            FileChannel channel = open("c");
            OpenFile file = files.get(files.add(channel, false));
            file.forceIfChanged();   // nothing changed: no force, no error

            file.markChanged();
            channel.write(ByteBuffer.wrap(new byte[] {1}), 0);
            file.forceIfChanged();

            // A force that fails is reported, and the file stays marked changed.
            file.markChanged();
            channel.close();
            assertThatThrownBy(file::forceIfChanged).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(file::forceIfChanged).isInstanceOf(ClosedChannelException.class);
        }
    }

    private FileChannel open(String name) throws IOException {
        return FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }
}
