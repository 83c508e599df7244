package io.sklad.vfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Which close commits, a commit streamed in several parts, and what a failed commit leaves behind, on a real
 * master with three real workers.
 */
class CommitOnCloseTest {

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static SkladFileSystem fs;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
        fs = cluster.fs;
        fs.createVolume("small", 3, 16 * 1024);
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void closingAnIdleHandleDoesNotCommitWhatAnotherHandleIsWriting() throws Exception {
        Path p = fs.getPath("/main/handles.txt");
        Files.writeString(p, "version one\n");
        int before = fs.listVersions(p).size();
        try (FileChannel writer = FileChannel.open(p, StandardOpenOption.WRITE)) {
            FileChannel idle = FileChannel.open(p, StandardOpenOption.WRITE);
            writer.write(utf8("half-writ"), 0);
            idle.close();
            assertThat(fs.listVersions(p)).as("closing the idle handle commits nothing").hasSize(before);
            writer.write(utf8("ten\n"), 9);
        }
        assertThat(fs.listVersions(p)).hasSize(before + 1);
        assertThat(Files.readString(p)).isEqualTo("half-written\n");
    }

    @Test
    void aHandleThatTruncatedOnOpenCommitsAtClose() throws Exception {
        Path p = fs.getPath("/main/truncated.txt");
        Files.writeString(p, "some content\n");
        int before = fs.listVersions(p).size();
        FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING).close();
        assertThat(fs.listVersions(p)).hasSize(before + 1);
        assertThat(Files.size(p)).isZero();
    }

    @Test
    void forceCommitsAndTheLastCloseCommitsWhatIsLeft() throws Exception {
        Path p = fs.getPath("/main/forced.txt");
        Files.writeString(p, "one\n");
        int before = fs.listVersions(p).size();
        try (FileChannel reader = FileChannel.open(p, StandardOpenOption.READ)) {
            try (FileChannel writer = FileChannel.open(p, StandardOpenOption.WRITE)) {
                writer.write(utf8("two\n"), 0);
                writer.force(true);
                assertThat(fs.listVersions(p)).hasSize(before + 1);
            }
            assertThat(fs.listVersions(p)).as("nothing left to commit at close").hasSize(before + 1);
            assertThat(reader.size()).isEqualTo(4);
        }
    }

    @Test
    void aCommitOfMoreBlocksThanOnePartIsStreamedAndReadBack() throws Exception {
        // 16 KiB blocks: 9 000 blocks (three parts of at most 4 096) in 141 MiB
        Path p = fs.getPath("/small/parts.bin");
        Random random = new Random(7);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        long size = 9000L * 16 * 1024;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, size - done);
                written.update(chunk, 0, n);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        assertThat(fs.listVersions(p)).singleElement().satisfies(v -> assertThat(v.size()).isEqualTo(size));
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            while (ch.read(b) > 0) {
                b.flip();
                read.update(b);
                b.clear();
            }
        }
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
    }

    @Test
    void aFailedCommitKeepsTheChangesAndSaysWhere() throws Exception {
        Path p = fs.getPath("/main/doomed.txt");
        Files.writeString(p, "before\n");
        FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE);
        ch.write(utf8("changed and never committed\n"), 0);
        // another agent deletes the file meanwhile: the commit has nothing to commit onto
        SkladFileSystem other = cluster.openFileSystem(dir.resolve("agent-other"), 0);
        try {
            Files.delete(other.getPath("/main/doomed.txt"));
        } finally {
            other.close();
        }
        IOException failure = catchThrowableOfType(IOException.class, ch::close);
        assertThat(failure).isInstanceOf(NoSuchFileException.class);
        Path kept = dir.resolve("agent").resolve("uncommitted");
        List<Path> manifests;
        try (Stream<Path> files = Files.list(kept)) {
            manifests = files.filter(f -> f.getFileName().toString().endsWith(".commit")).toList();
        }
        assertThat(manifests).singleElement().satisfies(m -> {
            List<String> lines = Files.readAllLines(m);
            assertThat(lines).contains("volume main", "size 28");
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("uploaded 0 "));
        });
    }
}
