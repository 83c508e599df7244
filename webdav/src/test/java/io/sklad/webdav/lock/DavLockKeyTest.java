package io.sklad.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DavLockKeyTest {

    @TempDir
    Path tmp;

    private static DavLock lockOn(Path root, boolean deep) {
        return new DavLock("opaquelocktoken:x", root, true, deep, "", "u", Duration.ofMinutes(1),
                Instant.now().plusSeconds(60));
    }

    @Test
    void keysAreTheRootUriAndThePathBelowIt() {
        assertThat(DavLock.key(Path.of("/"))).isEqualTo("file:///");
        assertThat(DavLock.key(Path.of("/srv/dav/a b.txt"))).isEqualTo("file:///srv/dav/a b.txt");
        assertThat(DavLock.key(Path.of("/srv/dav/x/../y"))).isEqualTo("file:///srv/dav/y");
    }

    @Test
    void coversAndWithinCompareWholeSegments() {
        DavLock deep = lockOn(Path.of("/srv/dav/a"), true);
        assertThat(deep.covers(Path.of("/srv/dav/a"))).isTrue();
        assertThat(deep.covers(Path.of("/srv/dav/a/b/c"))).isTrue();
        assertThat(deep.covers(Path.of("/srv/dav/ab"))).isFalse();
        assertThat(lockOn(Path.of("/srv/dav/a"), false).covers(Path.of("/srv/dav/a/b"))).isFalse();
        assertThat(deep.isWithin(Path.of("/srv"))).isTrue();
        assertThat(deep.isWithin(Path.of("/srv/dav/a"))).isTrue();
        assertThat(deep.isWithin(Path.of("/srv/dav/a/b"))).isFalse();
        assertThat(lockOn(Path.of("/"), true).covers(Path.of("/anything"))).isTrue();
    }

    @Test
    void anotherTreeWithTheSamePathStringsIsNotCovered() throws Exception {
        try (FileSystem zip = FileSystems.newFileSystem(tmp.resolve("t.zip"), Map.of("create", "true"))) {
            DavLock onDisk = lockOn(Path.of("/a.txt"), false);
            assertThat(onDisk.covers(zip.getPath("/a.txt"))).isFalse();
            assertThat(lockOn(zip.getPath("/a.txt"), false).covers(zip.getPath("/a.txt"))).isTrue();
        }
    }
}
