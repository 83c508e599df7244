package io.sklad.vfs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.CachingMetadataClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's attribute cache on a real cluster, seen from a second agent that has one: listings fill it,
 * its own changes show at once, another agent's changes show within the TTL, and an open always reads
 * what was committed last (close-to-open).
 */
class AttributeCacheTest {

    private static final Duration TTL = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static SkladFileSystem writer;
    static SkladFileSystem cached;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
        writer = cluster.fs;
        cached = cluster.openFileSystem(dir.resolve("agent-cached"), 0, TTL);
    }

    @AfterAll
    static void stop() throws Exception {
        cached.close();
        cluster.close();
    }

    private static CachingMetadataClient cache() {
        return (CachingMetadataClient) cached.metadata();
    }

    private static void put(Path p, String content) throws IOException {
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    @Test
    void aListingAnswersTheStatsOfItsEntries() throws Exception {
        Files.createDirectories(writer.getPath("/main/many"));
        for (int i = 0; i < 40; i++) {
            put(writer.getPath("/main/many/f" + i), "x".repeat(i));
        }
        long before = cache().hits();
        long total = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(cached.getPath("/main/many"))) {
            for (Path p : entries) {
                total += Files.readAttributes(p, BasicFileAttributes.class).size();
            }
        }
        assertThat(total).isEqualTo(39 * 40 / 2);
        assertThat(cache().hits() - before).isEqualTo(40);
    }

    @Test
    void anotherAgentsChangeShowsWithinTheTtlAndAtOnceOnOpen() throws Exception {
        Path mine = writer.getPath("/main/shared.txt");
        Path theirs = cached.getPath("/main/shared.txt");
        put(mine, "one");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(theirs.getParent())) {
            entries.forEach(p -> { });
        }
        assertThat(Files.size(theirs)).isEqualTo(3);
        long hits = cache().hits();
        put(mine, "three");
        // an open asks the master: the new version, whatever stat still says
        assertThat(Files.readString(theirs)).isEqualTo("three");
        long deadline = System.nanoTime() + TTL.multipliedBy(3).toNanos();
        while (Files.size(theirs) != 5) {
            assertThat(System.nanoTime()).as("new size seen within the TTL").isLessThan(deadline);
            Thread.sleep(50);
        }
        // a stat outside a listing is not remembered: the next one asks the master again
        long now = cache().hits();
        Files.size(theirs);
        assertThat(cache().hits()).isEqualTo(now);
        assertThat(hits).isGreaterThan(0);
    }

    @Test
    void thisAgentsOwnChangesShowAtOnce() throws Exception {
        Path p = cached.getPath("/main/own.txt");
        put(p, "short");
        assertThat(Files.size(p)).isEqualTo(5);
        put(p, "a longer text");
        assertThat(Files.size(p)).isEqualTo(13);
        Files.move(p, cached.getPath("/main/own-moved.txt"));
        assertThat(Files.exists(p)).isFalse();
        assertThat(Files.size(cached.getPath("/main/own-moved.txt"))).isEqualTo(13);
        Files.delete(cached.getPath("/main/own-moved.txt"));
        assertThat(Files.exists(cached.getPath("/main/own-moved.txt"))).isFalse();
    }

    @Test
    void aDeletedFileIsGoneForItsOpenAtOnce() throws Exception {
        Path mine = writer.getPath("/main/gone.txt");
        Path theirs = cached.getPath("/main/gone.txt");
        put(mine, "here");
        assertThat(Files.exists(theirs)).isTrue();
        Files.delete(mine);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Files.readString(theirs))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void withoutATtlEveryStatAsksTheMaster() throws Exception {
        assertThat(new AgentConfig("h:1", "u", "p", null, dir, 0, 0, null).attributeTtl()).isZero();
        long before = ((CachingMetadataClient) writer.metadata()).hits();
        Files.size(writer.getPath("/main/many/f1"));
        Files.size(writer.getPath("/main/many/f1"));
        assertThat(((CachingMetadataClient) writer.metadata()).hits()).isEqualTo(before);
    }

    @Test
    void whatThisAgentCreatedAnswersTheStatThatFollows() throws Exception {
        Path p = cached.getPath("/main/created.txt");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long before = cache().hits();
            assertThat(Files.readAttributes(p, BasicFileAttributes.class).isRegularFile()).isTrue();
            assertThat(cache().hits()).isEqualTo(before + 1);
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(Files.size(p)).isEqualTo(3);
        }
        // the commit forgot what the create remembered
        assertThat(Files.size(p)).isEqualTo(3);
        assertThat(Files.size(writer.getPath("/main/created.txt"))).isEqualTo(3);
    }

    @Test
    void attributesChangedWhileWritingArriveWithTheCommit() throws Exception {
        Path p = cached.getPath("/main/cp-a.txt");
        Path elsewhere = writer.getPath("/main/cp-a.txt");
        FileTime then = FileTime.fromMillis(1_400_000_000_000L);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("data".getBytes(StandardCharsets.UTF_8)));
            // what cp -a does before closing: times, owner, mode
            Files.setLastModifiedTime(p, then);
            Files.setAttribute(p, "unix:gid", 42);
            Files.setAttribute(p, "unix:mode", 0600);
            // this agent sees them at once; the master has them with the version, at close
            assertThat(Files.getLastModifiedTime(p)).isEqualTo(then);
            assertThat((int) Files.getAttribute(p, "unix:mode") & 07777).isEqualTo(0600);
            assertThat(Files.getAttribute(p, "unix:gid")).isEqualTo(42);
            assertThat((int) Files.getAttribute(elsewhere, "unix:mode") & 07777).isEqualTo(0644);
        }
        assertThat(Files.readString(elsewhere)).isEqualTo("data");
        assertThat(Files.getLastModifiedTime(elsewhere)).isEqualTo(then);
        assertThat((int) Files.getAttribute(elsewhere, "unix:mode") & 07777).isEqualTo(0600);
        assertThat(Files.getAttribute(elsewhere, "unix:gid")).isEqualTo(42);
        // without uncommitted changes a change goes to the master at once
        Files.setAttribute(p, "unix:mode", 0640);
        assertThat((int) Files.getAttribute(elsewhere, "unix:mode") & 07777).isEqualTo(0640);
    }
}
