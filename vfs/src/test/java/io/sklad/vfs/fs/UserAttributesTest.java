package io.sklad.vfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code user} attribute view over the master's per-inode properties, on a real master and workers. */
class UserAttributesTest {

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static SkladFileSystem fs;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
        fs = cluster.fs;
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    private static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    }

    private static String read(UserDefinedFileAttributeView v, String name) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    private static void write(UserDefinedFileAttributeView v, String name, String value) throws Exception {
        v.write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void attributesAreKeptPerFileFollowMovesAndGoWithTheFile() throws Exception {
        Path a = fs.getPath("/main/a.txt");
        Files.writeString(a, "content");
        assertThat(fs.supportedFileAttributeViews()).contains("user");
        assertThat(Files.getFileStore(a).supportsFileAttributeView(UserDefinedFileAttributeView.class)).isTrue();
        assertThat(view(a).list()).isEmpty();
        write(view(a), "colour", "blue");
        write(view(a), "größe", "\uD800\uDC00 high unicode");
        write(view(a), "colour", "green");
        UserDefinedFileAttributeView v = view(a);
        assertThat(v.list()).containsExactlyInAnyOrder("colour", "größe");
        assertThat(read(v, "colour")).isEqualTo("green");
        assertThat(read(v, "größe")).isEqualTo("\uD800\uDC00 high unicode");
        FileSystemException missing = catchThrowableOfType(FileSystemException.class, () -> v.size("absent"));
        assertThat(missing).isNotNull();
        ByteBuffer tiny = ByteBuffer.allocate(2);
        assertThat(catchThrowableOfType(FileSystemException.class, () -> v.read("colour", tiny))).isNotNull();

        // writing the content keeps them (same file, new version)
        Files.writeString(a, "new content");
        assertThat(read(view(a), "colour")).isEqualTo("green");
        // a move keeps them, in a directory too
        Files.createDirectory(fs.getPath("/main/d"));
        write(view(fs.getPath("/main/d")), "dir", "yes");
        Path b = fs.getPath("/main/d/b.txt");
        Files.move(a, b);
        assertThat(read(view(b), "colour")).isEqualTo("green");
        Files.move(fs.getPath("/main/d"), fs.getPath("/main/e"));
        assertThat(read(view(fs.getPath("/main/e")), "dir")).isEqualTo("yes");
        b = fs.getPath("/main/e/b.txt");
        // a copy is a new file: no attributes unless the copier copies them
        Files.copy(b, fs.getPath("/main/copy.txt"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(view(fs.getPath("/main/copy.txt")).list()).isEmpty();
        // delete removes one, deleting the file all of them
        view(b).delete("größe");
        view(b).delete("never-there");
        assertThat(view(b).list()).containsExactly("colour");
        Files.delete(b);
        assertThat(catchThrowableOfType(NoSuchFileException.class, () -> view(fs.getPath("/main/e/b.txt")).list()))
                .isNotNull();
        Files.writeString(b, "again");
        assertThat(view(b).list()).as("a new file at the old name").isEmpty();
    }

    @Test
    void limitsGiveClearErrorsAndChangeNothing() throws Exception {
        Path f = fs.getPath("/main/limits.txt");
        Files.writeString(f, "x");
        write(view(f), "small", "s");
        FileSystemException big = catchThrowableOfType(FileSystemException.class,
                () -> view(f).write("big", ByteBuffer.allocate(64 * 1024 + 1)));
        assertThat(big).isNotNull();
        assertThat(big.getReason()).startsWith("Invalid argument").contains("65536");
        view(f).write("exactly64k", ByteBuffer.allocate(64 * 1024));
        assertThat(view(f).list()).containsExactlyInAnyOrder("small", "exactly64k");
        // the root holds none and takes none
        assertThat(view(fs.getPath("/")).list()).isEmpty();
        assertThat(catchThrowableOfType(java.nio.file.AccessDeniedException.class,
                () -> write(view(fs.getPath("/")), "x", "y"))).isNotNull();
    }
}
