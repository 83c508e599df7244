package io.sklad.vfs.fs;

import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.attr.UnixFileAttributeView;
import io.sklad.vfs.attr.UnixFileAttributes;
import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.BlockMapPage;
import io.sklad.vfs.client.BlockRef;
import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.FileVersionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file system against a real master and three real workers. */
class SkladFileSystemTest {

    static final int BS = 65536;

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

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes in odd-sized pieces so that writes straddle block boundaries. */
    static void write(Path p, byte[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(p)) {
            int piece = 100_003;
            for (int at = 0; at < data.length; at += piece) {
                out.write(data, at, Math.min(piece, data.length - at));
            }
        }
    }

    static byte[] read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsOfEdgeSizesAreByteIdentical() throws Exception {
        Files.createDirectories(fs.getPath("/main/sizes"));
        int[] sizes = {0, 1, BS - 1, BS, BS + 1, 20 << 20};
        try (SkladFileSystem fresh = cluster.openFileSystem(dir.resolve("fresh-agent"), 0)) {
            for (int size : sizes) {
                Path p = fs.getPath("/main/sizes/f" + size);
                byte[] data = random(size, size);
                write(p, data);
                assertThat(Files.size(p)).isEqualTo(size);
                assertThat(read(p)).as("size %d", size).isEqualTo(data);
                // a second agent with no cache reads it from the workers
                assertThat(read(fresh.getPath(p.toString()))).as("fresh agent, size %d", size).isEqualTo(data);
            }
        }
    }

    @Test
    void everyBlockIsOnExactlyRDistinctWorkers() throws Exception {
        Path p = fs.getPath("/main/replicated.bin");
        write(p, random(3 * BS + 123, 42));
        List<BlockId> ids = blockIds(p);
        assertThat(ids).hasSize(4);
        List<java.util.Set<BlockId>> held = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            held.add(cluster.blocksOn(w));
        }
        for (BlockId id : ids) {
            long holders = held.stream().filter(s -> s.contains(id)).count();
            assertThat(holders).as("holders of %s", id).isEqualTo(3);
        }
    }

    private List<BlockId> blockIds(Path p) throws IOException {
        Location at = fs.locate(p);
        EntryInfo e = fs.metadata().stat(at.volume(), at.inVolume());
        BlockMapPage page = fs.metadata().getBlockMap(at.volume(), e.inode(), 0, 0, 0);
        return page.blocks().stream().map(BlockRef::id).toList();
    }

    @Test
    void randomOffsetWritesMakeANewVersionAndTheOldOneStillReads() throws Exception {
        Path p = fs.getPath("/main/random-writes.bin");
        byte[] original = random(10 * BS + 1000, 7);
        write(p, original);
        List<FileVersionInfo> before = fs.listVersions(p);
        long v1 = before.get(before.size() - 1).version();

        byte[] model = Arrays.copyOf(original, 13 * BS);
        int end = original.length;
        Random r = new Random(99);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 40; i++) {
                int off = r.nextInt(12 * BS);
                int len = 1 + r.nextInt(BS + 500);
                len = Math.min(len, model.length - off);
                byte[] piece = random(len, 1000 + i);
                ch.write(ByteBuffer.wrap(piece), off);
                System.arraycopy(piece, 0, model, off, len);
                end = Math.max(end, off + len);
            }
            assertThat(ch.size()).isEqualTo(end);
            // the open file shows its in-flight length
            assertThat(Files.size(p)).isEqualTo(end);
        }
        assertThat(read(p)).isEqualTo(Arrays.copyOf(model, end));

        List<FileVersionInfo> after = fs.listVersions(p);
        assertThat(after).extracting(FileVersionInfo::version).contains(v1);
        assertThat(after.get(after.size() - 1).version()).isGreaterThan(v1);
        try (FileChannel old = fs.openVersion(p, v1)) {
            assertThat(old.size()).isEqualTo(original.length);
            ByteBuffer buf = ByteBuffer.allocate(original.length);
            while (buf.hasRemaining() && old.read(buf) > 0) {
                // read on
            }
            assertThat(buf.array()).isEqualTo(original);
        }
    }

    @Test
    void truncateAndExtendExposeZeros() throws Exception {
        Path p = fs.getPath("/main/truncate.bin");
        byte[] data = random(3 * BS, 5);
        write(p, data);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(BS + 10);
            ch.write(ByteBuffer.wrap(new byte[]{1, 2, 3}), 2 * BS + 100);
        }
        byte[] expected = new byte[2 * BS + 103];
        System.arraycopy(data, 0, expected, 0, BS + 10);
        expected[2 * BS + 100] = 1;
        expected[2 * BS + 101] = 2;
        expected[2 * BS + 102] = 3;
        assertThat(read(p)).isEqualTo(expected);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            assertThat(ch.size()).isZero();
        }
        assertThat(Files.size(p)).isZero();
    }

    @Test
    void writingTheSameContentTwiceUploadsNothingNew() throws Exception {
        byte[] data = random(8 * BS + 77, 1234);
        write(fs.getPath("/main/dedup-a.bin"), data);
        List<java.util.Set<BlockId>> held = List.of(cluster.blocksOn(0), cluster.blocksOn(1), cluster.blocksOn(2));
        long calls = cluster.putCalls.get();
        long blocks = cluster.putBlocks.get();
        write(fs.getPath("/main/dedup-b.bin"), data);
        assertThat(cluster.putBlocks.get()).isEqualTo(blocks);
        assertThat(cluster.putCalls.get()).isEqualTo(calls);
        assertThat(List.of(cluster.blocksOn(0), cluster.blocksOn(1), cluster.blocksOn(2))).isEqualTo(held);
        assertThat(read(fs.getPath("/main/dedup-b.bin"))).isEqualTo(data);
    }

    @Test
    void aSequentialReadFetchesRunsOfBlocksNotOneCallPerBlock() throws Exception {
        byte[] data = random(256 * BS, 99);
        write(fs.getPath("/main/sequential.bin"), data);
        try (SkladFileSystem other = cluster.openFileSystem(dir.resolve("agent-reader"), 0)) {
            long single = cluster.getCalls.get();
            long runs = cluster.getRunCalls.get();
            byte[] back;
            try (InputStream in = Files.newInputStream(other.getPath("/main/sequential.bin"))) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                }
                back = out.toByteArray();
            }
            assertThat(back).isEqualTo(data);
            long calls = cluster.getCalls.get() - single + cluster.getRunCalls.get() - runs;
            assertThat(calls).as("block fetches for 256 blocks (%d single, %d runs)", cluster.getCalls.get() - single,
                    cluster.getRunCalls.get() - runs).isLessThan(64);
        }
    }

    @Test
    void fullBlocksUploadWhileWritingGoesOn() throws Exception {
        Path p = fs.getPath("/main/streaming.bin");
        long before = cluster.putBlocks.get();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(random(4 << 20, 77)));
            long deadline = System.currentTimeMillis() + 10_000;
            while (cluster.putBlocks.get() == before && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(cluster.putBlocks.get()).as("blocks sent before close").isGreaterThan(before);
        }
        assertThat(Files.size(p)).isEqualTo(4 << 20);
    }

    @Test
    void publicOpenWorksWithAPasswordAndWithATokenAlone() throws Exception {
        Path p = fs.getPath("/main/token.bin");
        byte[] data = random(BS + 3, 21);
        write(p, data);
        String token;
        try (var client = new io.sklad.vfs.client.GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            token = client.login("admin", ClusterFixture.PASSWORD).token();
        }
        var config = new io.sklad.vfs.AgentConfig(cluster.masterAddress, "admin", null, token,
                dir.resolve("token-agent"), 0, 0, null);
        try (SkladFileSystem byToken = SkladFileSystem.open(config)) {
            assertThat(read(byToken.getPath(p.toString()))).isEqualTo(data);
            write(byToken.getPath("/main/token-written.bin"), data);
        }
        var uri = java.net.URI.create("sklad://" + cluster.masterAddress);
        try (var viaUri = java.nio.file.FileSystems.newFileSystem(uri, Map.of("user", "admin",
                "password", ClusterFixture.PASSWORD, "workDir", dir.resolve("uri-agent")))) {
            assertThat(read(Path.of(uri.resolve("/main/token-written.bin")))).isEqualTo(data);
        }
        assertThatThrownBy(() -> SkladFileSystem.open(io.sklad.vfs.AgentConfig.withPassword(cluster.masterAddress,
                "admin", "wrong", dir.resolve("bad-agent")))).isInstanceOf(java.nio.file.AccessDeniedException.class);
    }

    @Test
    void holesAreNotStored() throws Exception {
        Path p = fs.getPath("/main/sparse.bin");
        long blocks = cluster.putBlocks.get();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4 * BS));
            ch.write(ByteBuffer.wrap(new byte[]{9}), 6 * BS);
        }
        assertThat(cluster.putBlocks.get() - blocks).isLessThanOrEqualTo(3); // one block, R copies at most
        byte[] content = read(p);
        assertThat(content).hasSize(6 * BS + 1);
        assertThat(content[6 * BS]).isEqualTo((byte) 9);
        assertThat(blockIds(p)).hasSize(1);
    }

    @Test
    void missingPathsAndBadNamesGetTheRightExceptions() throws Exception {
        assertThatThrownBy(() -> read(fs.getPath("/main/no-such-file"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> read(fs.getPath("/no-such-volume/x"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/main/no/such/parent")))
                .isInstanceOf(NoSuchFileException.class);
        Files.createDirectories(fs.getPath("/main/errs/dir"));
        Files.write(fs.getPath("/main/errs/dir/file"), new byte[]{1});
        assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/main/errs/dir")))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> Files.delete(fs.getPath("/main/errs/dir")))
                .isInstanceOf(DirectoryNotEmptyException.class);
        assertThatThrownBy(() -> read(fs.getPath("/main/errs/dir")))
                .isInstanceOfSatisfying(FileSystemException.class,
                        e -> assertThat(e.getReason()).isEqualTo(SkladReasons.IS_DIRECTORY));
        assertThatThrownBy(() -> Files.newDirectoryStream(fs.getPath("/main/errs/dir/file")))
                .isInstanceOf(NotDirectoryException.class);
        assertThatThrownBy(() -> Files.write(fs.getPath("/main/errs/dir/file/under"), new byte[1]))
                .isInstanceOf(FileSystemException.class);
        assertThatThrownBy(() -> Files.write(fs.getPath("/main/errs/" + "x".repeat(256)), new byte[1]))
                .isInstanceOfSatisfying(FileSystemException.class,
                        e -> assertThat(e.getReason()).isEqualTo(SkladReasons.INVALID_NAME));
        assertThatThrownBy(() -> Files.write(fs.getPath("/main/errs/../errs/x"), new byte[1]))
                .isInstanceOfSatisfying(FileSystemException.class,
                        e -> assertThat(e.getReason()).isEqualTo(SkladReasons.INVALID_NAME));
        assertThatThrownBy(() -> Files.newOutputStream(fs.getPath("/main/errs/dir/file"),
                StandardOpenOption.CREATE_NEW)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> Files.delete(fs.getPath("/main"))).isInstanceOf(
                java.nio.file.AccessDeniedException.class);
        // nothing stored was changed by any of that
        assertThat(read(fs.getPath("/main/errs/dir/file"))).containsExactly(1);
    }

    @Test
    void rootListsVolumesAndDirectoriesListWithGlobs() throws Exception {
        try (DirectoryStream<Path> root = Files.newDirectoryStream(fs.getPath("/"))) {
            List<String> names = new ArrayList<>();
            root.forEach(p -> names.add(p.toString()));
            assertThat(names).contains("/main");
        }
        Files.createDirectories(fs.getPath("/main/list"));
        for (String n : List.of("a.txt", "b.txt", "c.md")) {
            Files.write(fs.getPath("/main/list", n), n.getBytes());
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(fs.getPath("/main/list"), "*.txt")) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            assertThat(names).containsExactlyInAnyOrder("a.txt", "b.txt");
        }
        assertThat(Files.isDirectory(fs.getPath("/"))).isTrue();
        assertThat(Files.isDirectory(fs.getPath("/main"))).isTrue();
    }

    @Test
    void copyMoveAndSymlinks() throws Exception {
        Files.createDirectories(fs.getPath("/main/cm"));
        Path a = fs.getPath("/main/cm/a");
        byte[] data = random(2 * BS + 5, 3);
        write(a, data);
        Path b = fs.getPath("/main/cm/b");
        Files.copy(a, b);
        assertThat(read(b)).isEqualTo(data);
        assertThatThrownBy(() -> Files.copy(a, b)).isInstanceOf(FileAlreadyExistsException.class);
        Files.write(a, new byte[]{1});
        Files.copy(a, b, StandardCopyOption.REPLACE_EXISTING);
        assertThat(read(b)).containsExactly(1);

        Path c = fs.getPath("/main/cm/c");
        Files.move(b, c, StandardCopyOption.ATOMIC_MOVE);
        assertThat(Files.exists(b)).isFalse();
        assertThat(read(c)).containsExactly(1);
        Files.write(b, new byte[]{2});
        assertThatThrownBy(() -> Files.move(b, c)).isInstanceOf(FileAlreadyExistsException.class);
        Files.move(b, c, StandardCopyOption.REPLACE_EXISTING);
        assertThat(read(c)).containsExactly(2);

        Path link = fs.getPath("/main/cm/link");
        Files.createSymbolicLink(link, fs.getPath("c"));
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("c");
        assertThat(read(link)).containsExactly(2);
        assertThat(Files.isRegularFile(link)).isTrue();
        assertThat(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isSameFile(link, c)).isTrue();
    }

    @Test
    void unixAndPosixAttributesReadAndWriteLikeTheJdk() throws Exception {
        Path p = fs.getPath("/main/attrs.bin");
        Files.write(p, new byte[10]);
        Map<String, Object> unix = Files.readAttributes(p, "unix:*");
        assertThat(unix).containsKeys("mode", "uid", "gid", "ino", "nlink", "size", "ctime", "lastModifiedTime",
                "permissions", "owner", "group", "isRegularFile");
        assertThat((Integer) unix.get("mode") & UnixFileAttributes.S_IFMT).isEqualTo(UnixFileAttributes.S_IFREG);
        assertThat(unix.get("size")).isEqualTo(10L);

        Files.setAttribute(p, "unix:uid", 1000);
        Files.setAttribute(p, "unix:gid", 1001);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
        Map<String, Object> posix = Files.readAttributes(p, "posix:permissions,size,owner");
        assertThat(PosixFilePermissions.toString((java.util.Set) posix.get("permissions"))).isEqualTo("rwxr-x---");
        assertThat(posix.get("owner").toString()).isEqualTo("1000");
        UnixFileAttributes a = Files.getFileAttributeView(p, UnixFileAttributeView.class).readAttributes();
        assertThat(a.uid()).isEqualTo(1000);
        assertThat(a.gid()).isEqualTo(1001);
        assertThat(a.mode() & 07777).isEqualTo(0750);

        Files.getFileAttributeView(p, UnixFileAttributeView.class).setMode(0604);
        assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(UnixFileAttributes.S_IFREG | 0604);

        FileTime t = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(p, t);
        assertThat(Files.getLastModifiedTime(p)).isEqualTo(t);
        assertThatThrownBy(() -> Files.readAttributes(p, "unix:nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Files.readAttributes(p, "dos:*")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Files.getFileStore(p).getTotalSpace()).isPositive();
    }

    @Test
    void aStaleWriterGetsAConflictNotASilentOverwrite() throws Exception {
        Path p = fs.getPath("/main/conflict.bin");
        Files.write(p, new byte[]{1});
        try (SkladFileSystem other = cluster.openFileSystem(dir.resolve("other-agent"), 0);
             FileChannel mine = FileChannel.open(p, StandardOpenOption.WRITE)) {
            Path theirs = other.getPath(p.toString());
            // while this agent's write lease stands, the other is refused at open (WriteLeaseTest); the master
            // losing it (a restart) leaves the compare-and-set commit as the last line of defence
            long inode = fs.metadata().stat("main", "/conflict.bin").inode();
            cluster.master.leases().leasesOn("main", inode)
                    .forEach(l -> cluster.master.leases().release(l.id(), l.user(), true));
            try (FileChannel ch = FileChannel.open(theirs, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[]{2}));
            }
            mine.write(ByteBuffer.wrap(new byte[]{3}));
            assertThatThrownBy(() -> mine.force(true)).isInstanceOfSatisfying(FileSystemException.class,
                    e -> assertThat(e.getReason()).startsWith(SkladReasons.CONFLICT));
        } catch (FileSystemException closeAgain) {
            assertThat(closeAgain.getReason()).startsWith(SkladReasons.CONFLICT);
        }
        assertThat(read(p)).containsExactly(2);
    }
}
