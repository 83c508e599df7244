package io.sklad.sftp.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JailFileSystemProviderTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.writeString(root.resolve("mine.txt"), "mine");
        Files.createDirectories(root.resolve("a/b"));
    }

    private JailFileSystem jail(boolean readOnly) throws Exception {
        return new JailFileSystemProvider(root, readOnly).fileSystem();
    }

    @Test
    void dotDotAndAbsolutePathsStayUnderTheRoot() throws Exception {
        JailFileSystem fs = jail(false);
        assertThat(Files.readString(fs.getPath("/../../mine.txt"))).isEqualTo("mine");
        assertThat(Files.readString(fs.getPath("a/b/../../../mine.txt"))).isEqualTo("mine");
        assertThatThrownBy(() -> Files.readString(fs.getPath("/../outside/secret.txt")))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> Files.readString(fs.getPath(outside.resolve("secret.txt").toString())))
                .isInstanceOf(NoSuchFileException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(root.toString()));
    }

    @Test
    void anAttributeChangeThroughALinkToNothingChangesTheLink() throws Exception {
        // sshfs sends lutimes as SETSTAT, which follows links: cp -a sets a link's times before its target exists
        Files.createSymbolicLink(root.resolve("a/early"), Path.of("later.txt"));
        JailFileSystem fs = jail(false);
        FileTime old = FileTime.fromMillis(1_600_000_000_000L);
        Files.setAttribute(fs.getPath("/a/early"), "basic:lastModifiedTime", old);
        assertThat(Files.getLastModifiedTime(root.resolve("a/early"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(old);
        Files.getFileAttributeView(fs.getPath("/a/early"), BasicFileAttributeView.class).setTimes(old, null, null);
        assertThat(root.resolve("a/later.txt")).doesNotExist();
        // once the target is there, the change goes to the target as before
        Files.writeString(root.resolve("a/later.txt"), "now");
        Files.setAttribute(fs.getPath("/a/early"), "basic:lastModifiedTime", old);
        assertThat(Files.getLastModifiedTime(root.resolve("a/later.txt"))).isEqualTo(old);
        // a path that is not there at all is still not there
        assertThatThrownBy(() -> Files.setAttribute(fs.getPath("/a/none"), "basic:lastModifiedTime", old))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void symlinksAreFollowedOnlyInside() throws Exception {
        Files.createSymbolicLink(root.resolve("out-dir"), outside);
        Files.createSymbolicLink(root.resolve("out-file"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("a/b/up"), Path.of("../../../outside"));
        Files.createSymbolicLink(root.resolve("dangling-out"), outside.resolve("new.txt"));
        Files.createSymbolicLink(root.resolve("a/in-link"), Path.of("../mine.txt"));
        Files.createSymbolicLink(root.resolve("abs-in"), root.resolve("a"));
        JailFileSystem fs = jail(false);

        assertThatThrownBy(() -> Files.readString(fs.getPath("/out-file"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.readString(fs.getPath("/out-dir/secret.txt")))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.readString(fs.getPath("/a/b/up/secret.txt")))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.newDirectoryStream(fs.getPath("/out-dir")).close())
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.writeString(fs.getPath("/dangling-out"), "x"))
                .isInstanceOf(AccessDeniedException.class);
        assertThat(outside.resolve("new.txt")).doesNotExist();

        // the links themselves can be seen and removed
        assertThat(Files.isSymbolicLink(fs.getPath("/out-file"))).isTrue();
        Files.delete(fs.getPath("/out-file"));
        assertThat(outside.resolve("secret.txt")).exists();

        assertThat(Files.readString(fs.getPath("/a/in-link"))).isEqualTo("mine");
        assertThat(Files.exists(fs.getPath("/abs-in/b"))).isTrue();
    }

    @Test
    void createdLinksAreRelativeAndMayNotPointOutside() throws Exception {
        JailFileSystem fs = jail(false);
        Files.createSymbolicLink(fs.getPath("/a/b/to-mine"), fs.getPath("/mine.txt"));
        assertThat(Files.readSymbolicLink(root.resolve("a/b/to-mine")).toString()).isEqualTo("../../mine.txt");
        assertThat(Files.readString(fs.getPath("/a/b/to-mine"))).isEqualTo("mine");
        assertThat(Files.readSymbolicLink(fs.getPath("/a/b/to-mine")).toString()).isEqualTo("../../mine.txt");

        assertThatThrownBy(() -> Files.createSymbolicLink(fs.getPath("/a/escape"), fs.getPath("../../outside")))
                .isInstanceOf(AccessDeniedException.class);
        assertThat(root.resolve("a/escape")).doesNotExist();
    }

    @Test
    void readOnlyRefusesEveryChange() throws Exception {
        JailFileSystem fs = jail(true);
        Path mine = fs.getPath("/mine.txt");
        assertThat(fs.isReadOnly()).isTrue();
        assertThat(Files.readString(mine)).isEqualTo("mine");
        assertThatThrownBy(() -> Files.writeString(fs.getPath("/new.txt"), "x")).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.writeString(mine, "x")).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/d"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.delete(mine)).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.move(mine, fs.getPath("/moved"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.copy(mine, fs.getPath("/copy"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Files.setLastModifiedTime(mine, FileTime.fromMillis(0)))
                .isInstanceOf(AccessDeniedException.class);
        BasicFileAttributeView view = Files.getFileAttributeView(mine, BasicFileAttributeView.class);
        assertThat(view.readAttributes().size()).isEqualTo(4);
        assertThatThrownBy(() -> view.setTimes(null, null, null)).isInstanceOf(AccessDeniedException.class);
        assertThat(Files.readString(root.resolve("mine.txt"))).isEqualTo("mine");
        assertThat(root.resolve("new.txt")).doesNotExist();
    }

    @Test
    void listsEntriesUnderTheClientsNames() throws Exception {
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("a"));
        JailFileSystem fs = jail(false);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fs.getPath("/alias"))) {
            entries.forEach(p -> names.add(p.toString()));
        }
        assertThat(names).containsExactly("/alias/b");
        assertThat(Files.readAttributes(fs.getPath("/alias"), "basic:isSymbolicLink", LinkOption.NOFOLLOW_LINKS))
                .containsEntry("isSymbolicLink", true);
    }

    @Test
    void closingTheSessionLeavesTheSharedFileSystemOpen() throws Exception {
        Path zip = tmp.resolve("volume.zip");
        try (FileSystem shared = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"))) {
            Files.createDirectories(shared.getPath("/vol/dir"));
            JailFileSystem session = new JailFileSystemProvider(shared.getPath("/vol"), false).fileSystem();
            Files.writeString(session.getPath("/dir/f.txt"), "in zip");
            assertThat(Files.readString(session.getPath("../dir/f.txt"))).isEqualTo("in zip");
            session.close();
            assertThat(shared.isOpen()).isTrue();
            assertThat(Files.readString(shared.getPath("/vol/dir/f.txt"))).isEqualTo("in zip");
        }
    }
}
