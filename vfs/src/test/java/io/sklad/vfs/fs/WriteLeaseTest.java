package io.sklad.vfs.fs;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.GrantRole;
import io.sklad.vfs.client.GrpcAdminClient;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LeaseMode;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.lease.LeaseKeeper;
import io.sklad.vfs.lease.SkladLock;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Write leases between two agents (two file systems) on a real master with three real workers. */
class WriteLeaseTest {

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static SkladFileSystem first;
    static SkladFileSystem second;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterFixture(dir, 3);
        first = cluster.fs;
        second = cluster.openFileSystem(dir.resolve("agent2"), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
        cluster.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(Path p, String content) throws IOException {
        Files.write(p, bytes(content));
    }

    private static String get(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    private static FileSystemException expectBusy(Path p, StandardOpenOption... options) {
        return expectBusy(p, "is being written by another client", options);
    }

    private static FileSystemException expectBusy(Path p, String why, StandardOpenOption... options) {
        FileSystemException e = catchThrowableOfType(FileSystemException.class,
                () -> Files.newByteChannel(p, options).close());
        assertThat(e).as("opening %s for writing", p).isNotNull();
        assertThat(e.getReason()).isEqualTo(SkladReasons.BUSY + p + " " + why);
        return e;
    }

    @Test
    void secondWriterIsBusyUntilTheFirstCloses() throws Exception {
        Path mine = first.getPath("/main/report.txt");
        Path theirs = second.getPath("/main/report.txt");
        put(mine, "v1");
        try (SeekableByteChannel ch = Files.newByteChannel(mine, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes("v2 by first")));
            expectBusy(theirs, StandardOpenOption.WRITE);
            expectBusy(theirs, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            expectBusy(theirs, StandardOpenOption.APPEND);
            // readers are never blocked: the other agent still sees the committed version (close-to-open)
            assertThat(get(theirs)).isEqualTo("v1");
            // the same agent opens it for writing again without trouble (one holder)
            try (FileChannel again = FileChannel.open(mine, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                assertThat(again.size()).isEqualTo("v2 by first".length());
            }
        }
        assertThat(get(theirs)).isEqualTo("v2 by first");
        put(theirs, "v3 by second");
        assertThat(get(mine)).isEqualTo("v3 by second");
        assertThat(first.leases().heldCount()).isZero();
        assertThat(second.leases().heldCount()).isZero();
    }

    @Test
    void aNewFileIsLeasedByItsCreate() throws Exception {
        Path mine = first.getPath("/main/new-by-first.txt");
        Path theirs = second.getPath("/main/new-by-first.txt");
        try (SeekableByteChannel ch = Files.newByteChannel(mine, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            // held from the create on (CreateFile took it)
            assertThat(first.leases().heldCount()).isEqualTo(1);
            ch.write(ByteBuffer.wrap(bytes("made by first")));
            expectBusy(theirs, StandardOpenOption.WRITE);
            assertThat(get(theirs)).isEmpty();
        }
        assertThat(first.leases().heldCount()).isZero();
        put(theirs, "then second");
        assertThat(get(mine)).isEqualTo("then second");
    }

    @Test
    void aRefusedWriterChangesNothing() throws Exception {
        Path mine = first.getPath("/main/untouched.txt");
        Path theirs = second.getPath("/main/untouched.txt");
        put(mine, "original");
        long version = first.listVersions(mine).size();
        try (SeekableByteChannel ch = Files.newByteChannel(mine, StandardOpenOption.WRITE)) {
            FileSystemException e = catchThrowableOfType(FileSystemException.class, () -> put(theirs, "clobber"));
            assertThat(e.getReason()).startsWith(SkladReasons.BUSY);
        }
        assertThat(get(theirs)).isEqualTo("original");
        assertThat(first.listVersions(mine)).hasSize((int) version);
    }

    @Test
    void locksExcludeOtherAgentsWritersAndLocks() throws Exception {
        Path mine = first.getPath("/main/locked.txt");
        Path theirs = second.getPath("/main/locked.txt");
        put(mine, "before");
        SkladLock lock = first.lock(mine, true, Duration.ofMinutes(30));
        assertThat(lock.path()).isEqualTo("/main/locked.txt");
        assertThat(lock.exclusive()).isTrue();
        // a writer kept out by a lock is told so (sklad put prints it)
        expectBusy(theirs, "is locked by another client", StandardOpenOption.WRITE);
        FileSystemException e = catchThrowableOfType(FileSystemException.class,
                () -> second.lock(theirs, false, Duration.ofMinutes(1)));
        assertThat(e.getReason()).isEqualTo(SkladReasons.BUSY + "/main/locked.txt is locked by another client");
        assertThat(get(theirs)).isEqualTo("before");
        // the lock's own agent writes (one holder)
        put(mine, "by the lock owner");
        assertThat(first.renewLock(lock, Duration.ofMinutes(5)).expiresAtMillis())
                .isGreaterThan(System.currentTimeMillis() + 200_000);
        assertThat(first.unlock(lock)).isTrue();
        assertThat(first.unlock(lock)).isFalse();
        expect(NoSuchFileException.class, () -> first.renewLock(lock, Duration.ofMinutes(1)));
        put(theirs, "after");
        assertThat(get(mine)).isEqualTo("after");

        // a writer keeps out another agent's exclusive lock, but not a shared one
        try (SeekableByteChannel ch = Files.newByteChannel(mine, StandardOpenOption.WRITE)) {
            assertThat(expect(FileSystemException.class, () -> second.lock(theirs, true, Duration.ofMinutes(1)))
                    .getReason()).startsWith(SkladReasons.BUSY);
            SkladLock shared = second.lock(theirs, false, Duration.ofMinutes(1));
            assertThat(second.unlock(shared)).isTrue();
        }
        expect(NoSuchFileException.class, () -> first.lock(first.getPath("/main/nope"), true, Duration.ofMinutes(1)));
    }

    @Test
    void readOnlyGrantRefusesWritesAndChangesNothing() throws Exception {
        Path adminView = first.getPath("/main/ro.txt");
        put(adminView, "read me");
        int versions = first.listVersions(adminView).size();
        LoginResult admin;
        try (GrpcMetadataClient login = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            admin = login.login("admin", ClusterFixture.PASSWORD);
        }
        try (AdminClient users = new GrpcAdminClient(cluster.masterAddress, ClusterFixture.TIMEOUT, admin.token())) {
            users.addUser("viewer", "viewer-pw", false);
            users.grant("viewer", "main", GrantRole.READ_ONLY);
        }
        try (SkladFileSystem viewer = SkladFileSystem.open(AgentConfig.withPassword(cluster.masterAddress, "viewer",
                "viewer-pw", dir.resolve("viewer")))) {
            Path p = viewer.getPath("/main/ro.txt");
            assertThat(get(p)).isEqualTo("read me");
            // access(2) and isWritable tell the truth, so frontends can refuse before they try
            assertThat(Files.isReadable(p)).isTrue();
            assertThat(Files.isWritable(p)).isFalse();
            assertThat(Files.isWritable(viewer.getPath("/main"))).isFalse();
            assertThat(Files.isWritable(first.getPath("/main/ro.txt"))).isTrue();
            catchAccessDenied(() -> viewer.provider().checkAccess(p, java.nio.file.AccessMode.WRITE));
            // user attributes: readable, not writable
            Files.getFileAttributeView(adminView, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                    .write("note", ByteBuffer.wrap(bytes("admin's")));
            var view = Files.getFileAttributeView(p, java.nio.file.attribute.UserDefinedFileAttributeView.class);
            assertThat(view.list()).containsExactly("note");
            catchAccessDenied(() -> view.write("note", ByteBuffer.wrap(bytes("viewer's"))));
            catchAccessDenied(() -> view.delete("note"));
            catchAccessDenied(() -> Files.newByteChannel(p, StandardOpenOption.WRITE).close());
            catchAccessDenied(() -> put(p, "overwrite"));
            catchAccessDenied(() -> put(viewer.getPath("/main/new.txt"), "new"));
            catchAccessDenied(() -> Files.delete(p));
            catchAccessDenied(() -> viewer.lock(p, true, Duration.ofMinutes(1)));
            SkladLock shared = viewer.lock(p, false, Duration.ofMinutes(1));
            viewer.unlock(shared);
        }
        assertThat(get(adminView)).isEqualTo("read me");
        assertThat(first.listVersions(adminView)).hasSize(versions);
        assertThat(Files.exists(first.getPath("/main/new.txt"))).isFalse();
    }

    private static void catchAccessDenied(ThrowingRunnable r) {
        AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class, r::run);
        assertThat(e).isNotNull();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void leasesAreRenewedWhileHeldAndLocksTimeOut() throws Exception {
        put(first.getPath("/main/renewed.txt"), "x");
        put(first.getPath("/main/timed.txt"), "x");
        try (GrpcMetadataClient a = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT);
             GrpcMetadataClient b = new GrpcMetadataClient(cluster.masterAddress, ClusterFixture.TIMEOUT)) {
            a.login("admin", ClusterFixture.PASSWORD);
            b.login("admin", ClusterFixture.PASSWORD);
            try (LeaseKeeper keeper = new LeaseKeeper(a, "short-lived", Duration.ofMillis(1200))) {
                long inode = a.stat("main", "/renewed.txt").inode();
                LeaseKeeper.WriteHandle h = keeper.openForWrite("main", "/renewed.txt", inode, "/main/renewed.txt");
                SkladLock lock = keeper.lock("main", "/timed.txt", "/main/timed.txt", true, Duration.ofMillis(1000));
                Thread.sleep(2500); // two lease lifetimes: alive only if renewed
                FileSystemException busy = catchThrowableOfType(FileSystemException.class,
                        () -> b.acquireLease("main", "/renewed.txt", LeaseMode.WRITE_SHARED_READ, "other", null));
                assertThat(busy.getReason()).startsWith(SkladReasons.CONFLICT).contains("short-lived");
                // the lock's own timeout passed: it was released, not renewed
                b.releaseLease(b.acquireLease("main", "/timed.txt", LeaseMode.EXCLUSIVE, "other", null).leaseId());
                assertThat(keeper.unlock(lock.id())).isFalse();
                h.close();
                h.close();
                b.releaseLease(b.acquireLease("main", "/renewed.txt", LeaseMode.EXCLUSIVE, "other", null).leaseId());
            }
        }
    }

    /** The exception {@code call} throws, which must be a {@code type}. */
    static <T extends Throwable> T expect(Class<T> type, ThrowableAssert.ThrowingCallable call) {
        T e = catchThrowableOfType(type, call);
        assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
        return e;
    }
}
