package io.sklad.vfs.fs;

import io.sklad.vfs.SkladReasons;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NameValidationTest {

    private final PathFixture fx = new PathFixture();

    @AfterEach
    void close() throws IOException {
        fx.close();
    }

    @Test
    void splitsVolumeAndInnerPath() throws IOException {
        Location loc = fx.fs().locate(fx.path("/main/dir/file"));
        assertThat(loc.volume()).isEqualTo("main");
        assertThat(loc.inVolume()).isEqualTo("/dir/file");
        assertThat(fx.fs().locate(fx.path("/main")).isVolumeRoot()).isTrue();
        assertThat(fx.fs().locate(fx.path("/")).isRoot()).isTrue();
        assertThat(fx.fs().locate(fx.path("main/./x")).inVolume()).isEqualTo("/x");
    }

    @Test
    void dotDotIsAnInvalidName() {
        assertThatThrownBy(() -> fx.fs().locate(fx.path("/main/a/../../other/x")))
                .isInstanceOfSatisfying(FileSystemException.class,
                        e -> assertThat(e.getReason()).isEqualTo(SkladReasons.INVALID_NAME));
    }

    @Test
    void namesOver255BytesAreInvalid() throws IOException {
        fx.fs().locate(fx.path("/main/" + "a".repeat(255)));
        assertThatThrownBy(() -> fx.fs().locate(fx.path("/main/" + "a".repeat(256))))
                .isInstanceOfSatisfying(FileSystemException.class,
                        e -> assertThat(e.getReason()).isEqualTo(SkladReasons.INVALID_NAME));
        // 128 two-byte characters are 256 bytes
        assertThatThrownBy(() -> fx.fs().locate(fx.path("/main/" + "я".repeat(128))))
                .isInstanceOf(FileSystemException.class);
    }

    @Test
    void nulIsRefusedAtParse() {
        assertThatThrownBy(() -> fx.path("/main/\0")).isInstanceOf(InvalidPathException.class);
    }

    @Test
    void badVolumeNamesAreRefusedBeforeAnyCall() {
        for (String bad : new String[]{"", "a/b", "..", "x\0"}) {
            assertThatThrownBy(() -> fx.fs().createVolume(bad, 3, 0))
                    .isInstanceOfSatisfying(FileSystemException.class,
                            e -> assertThat(e.getReason()).isEqualTo(SkladReasons.INVALID_NAME));
        }
    }
}
