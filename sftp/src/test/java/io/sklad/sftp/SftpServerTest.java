package io.sklad.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sklad.sftp.OpenSsh.Result;

/** The server against the real OpenSSH clients, over plain directories. */
class SftpServerTest {

    private static final String PASSWORD = "s3cret-Pass";

    @TempDir
    Path tmp;

    private Path client;
    private Path aliceRoot;
    private Path bobRoot;
    private Path readerRoot;
    private Path aliceKey;
    private MapRealm realm;
    private SftpServer server;

    @BeforeEach
    void setUp() throws Exception {
        client = Files.createDirectories(tmp.resolve("client"));
        aliceRoot = Files.createDirectories(tmp.resolve("roots/alice"));
        bobRoot = Files.createDirectories(tmp.resolve("roots/bob"));
        readerRoot = Files.createDirectories(tmp.resolve("roots/reader"));
        aliceKey = OpenSsh.keygen(client, "alice_key");
        realm = new MapRealm()
                .add("alice", PASSWORD, SftpSession.readWrite(aliceRoot))
                .add("bob", "bob-pass", SftpSession.readWrite(bobRoot))
                .add("reader", "reader-pass", SftpSession.readOnly(readerRoot))
                .addKey("alice", client.resolve("alice_key.pub"), SftpSession.readWrite(aliceRoot));
        server = start(5);
    }

    private SftpServer start(int maxFailedLogins) throws IOException {
        SftpServer s = new SftpServer(new SftpConfig("127.0.0.1", 0, tmp.resolve("hostkey/ssh_host_ec_key"),
                Duration.ofMinutes(1), maxFailedLogins), realm);
        s.start();
        return s;
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private Result sftp(String user, String password, String... commands) throws Exception {
        return OpenSsh.sftpBatch(server.port(), user, OpenSsh.passwordLogin(), password, client, commands);
    }

    @Test
    void batchPutGetOfLargeFileAndTreeOperations() throws Exception {
        Path big = client.resolve("big.bin");
        writeRandom(big, 256L << 20, 42);
        String sha = sha256(big);

        Result r = sftp("alice", PASSWORD,
                "mkdir up",
                "put big.bin up/big.bin",
                "get up/big.bin back.bin",
                "mkdir d1",
                "rename up/big.bin d1/moved.bin",
                "ls -l d1",
                "put big.bin gone.bin",
                "rm gone.bin",
                "rmdir up",
                "ls");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(sha256(client.resolve("back.bin"))).isEqualTo(sha);
        assertThat(sha256(aliceRoot.resolve("d1/moved.bin"))).isEqualTo(sha);
        assertThat(r.stdout()).contains("moved.bin").contains("d1");
        assertThat(aliceRoot.resolve("gone.bin")).doesNotExist();
        assertThat(aliceRoot.resolve("up")).doesNotExist();
    }

    @Test
    void reputResumesAHalfUploadedFile() throws Exception {
        Path local = client.resolve("resume.bin");
        writeRandom(local, 8L << 20, 7);
        try (InputStream in = Files.newInputStream(local);
                OutputStream out = Files.newOutputStream(aliceRoot.resolve("resume.bin"))) {
            out.write(in.readNBytes(3 << 20)); // what an interrupted upload left
        }
        // a marker in the already-uploaded part proves the resume appended instead of rewriting
        byte[] firstByte = new byte[1];
        try (InputStream in = Files.newInputStream(local)) {
            firstByte[0] = (byte) ~in.read();
        }
        patchFirstByte(aliceRoot.resolve("resume.bin"), firstByte[0]);

        Result r = sftp("alice", PASSWORD, "reput resume.bin resume.bin");

        assertThat(r.exitCode()).as(r.all()).isZero();
        Path remote = aliceRoot.resolve("resume.bin");
        assertThat(Files.size(remote)).isEqualTo(Files.size(local));
        patchFirstByte(remote, (byte) ~firstByte[0]);
        assertThat(sha256(remote)).isEqualTo(sha256(local));
    }

    @Test
    void scpBothWaysOverSftpAndLegacyProtocol() throws Exception {
        OpenSsh.requireTool("scp");
        Path local = client.resolve("scp.bin");
        writeRandom(local, 3L << 20, 3);
        String sha = sha256(local);
        for (boolean legacy : new boolean[] {false, true}) {
            String name = legacy ? "legacy.bin" : "modern.bin";
            List<String> up = scp(legacy, local.toString(), "alice@127.0.0.1:" + name);
            Result put = OpenSsh.run(client, OpenSsh.withPassword(PASSWORD, up), Duration.ofMinutes(1));
            assertThat(put.exitCode()).as(put.all()).isZero();
            assertThat(sha256(aliceRoot.resolve(name))).isEqualTo(sha);

            Path back = client.resolve("back-" + name);
            List<String> down = scp(legacy, "alice@127.0.0.1:/" + name, back.toString());
            Result get = OpenSsh.run(client, OpenSsh.withPassword(PASSWORD, down), Duration.ofMinutes(1));
            assertThat(get.exitCode()).as(get.all()).isZero();
            assertThat(sha256(back)).isEqualTo(sha);
        }
    }

    private List<String> scp(boolean legacy, String from, String to) {
        List<String> cmd = new ArrayList<>(List.of("scp"));
        if (legacy) {
            cmd.add("-O");
        }
        cmd.addAll(OpenSsh.passwordLogin());
        cmd.addAll(List.of("-P", Integer.toString(server.port()), from, to));
        return cmd;
    }

    @Test
    void sshfsMountCopiesATree() throws Exception {
        OpenSsh.requireTool("sshfs");
        OpenSsh.requireTool("fusermount");
        Path tree = Files.createDirectories(client.resolve("tree/sub/deeper"));
        Files.writeString(client.resolve("tree/a.txt"), "alpha\n");
        Files.writeString(client.resolve("tree/sub/b.txt"), "beta\n".repeat(1000));
        writeRandom(client.resolve("tree/sub/deeper/c.bin"), 300_000, 5);
        Files.createFile(client.resolve("tree/empty"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));

        List<String> mount = new ArrayList<>(List.of("sshfs", "-p", Integer.toString(server.port()),
                "-o", "StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,IdentitiesOnly=yes,"
                        + "PasswordAuthentication=no,IdentityFile=" + aliceKey,
                "alice@127.0.0.1:/", mnt.toString()));
        Result mounted = OpenSsh.run(client, mount, Duration.ofSeconds(30));
        assertThat(mounted.exitCode()).as(mounted.all()).isZero();
        try {
            Result cp = OpenSsh.run(client, List.of("cp", "-a", tree.toString(), mnt.resolve("tree").toString()),
                    Duration.ofSeconds(60));
            assertThat(cp.exitCode()).as(cp.all()).isZero();
            Result diffMount = OpenSsh.run(client, List.of("diff", "-r", tree.toString(),
                    mnt.resolve("tree").toString()), Duration.ofSeconds(60));
            assertThat(diffMount.exitCode()).as(diffMount.all()).isZero();
        } finally {
            Result unmounted = OpenSsh.run(client, List.of("fusermount", "-u", mnt.toString()), Duration.ofSeconds(30));
            assertThat(unmounted.exitCode()).as(unmounted.all()).isZero();
        }
        Result diffRoot = OpenSsh.run(client, List.of("diff", "-r", tree.toString(), aliceRoot.resolve("tree")
                .toString()), Duration.ofSeconds(60));
        assertThat(diffRoot.exitCode()).as(diffRoot.all()).isZero();
    }

    @Test
    void keyLoginWorksAndUnknownKeyOrWrongPasswordIsRefused() throws Exception {
        Files.writeString(aliceRoot.resolve("hello.txt"), "hi");
        Result byKey = OpenSsh.sftpBatch(server.port(), "alice", OpenSsh.keyLogin(aliceKey), null, client, "ls");
        assertThat(byKey.exitCode()).as(byKey.all()).isZero();
        assertThat(byKey.stdout()).contains("hello.txt");

        Path stranger = OpenSsh.keygen(client, "stranger_key");
        Result unknownKey = OpenSsh.sftpBatch(server.port(), "alice", OpenSsh.keyLogin(stranger), null, client, "ls");
        assertThat(unknownKey.exitCode()).isNotZero();
        assertThat(unknownKey.stdout()).doesNotContain("hello.txt");

        Result wrongPassword = sftp("alice", "wrong", "ls");
        assertThat(wrongPassword.exitCode()).isNotZero();
        assertThat(wrongPassword.stdout()).doesNotContain("hello.txt");

        Result unknownUser = sftp("mallory", PASSWORD, "ls");
        assertThat(unknownUser.exitCode()).isNotZero();
    }

    /**
     * OpenSSH speaks SFTP version 3 (codes 0..8): an existing directory, a non-empty one or a directory where a
     * file is expected must come back as a status it knows, not "Unknown status" (MINA's version 6 codes).
     */
    @Test
    void errorsComeInTheCodesOfTheClientsVersion() throws Exception {
        Files.createDirectories(aliceRoot.resolve("full"));
        Files.writeString(aliceRoot.resolve("full/f.txt"), "f");

        Result r = sftp("alice", PASSWORD, "-mkdir full", "-rmdir full", "-rm full", "-rename full/f.txt full",
                "-get missing.txt", "ls");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stderr()).doesNotContain("Unknown status");
        assertThat(r.stderr().split("Failure", -1)).as(r.stderr()).hasSize(5);
        assertThat(r.stderr()).contains("not found");
        assertThat(aliceRoot.resolve("full/f.txt")).hasContent("f");
    }

    @Test
    void usersSeeTheirOwnRoots() throws Exception {
        Files.writeString(aliceRoot.resolve("alice-only.txt"), "a");
        Files.writeString(bobRoot.resolve("bob-only.txt"), "b");

        Result alice = sftp("alice", PASSWORD, "pwd", "ls -a");
        Result bob = sftp("bob", "bob-pass", "pwd", "ls -a", "put " + writeSmall("from-bob.txt"));

        assertThat(alice.exitCode()).as(alice.all()).isZero();
        assertThat(bob.exitCode()).as(bob.all()).isZero();
        assertThat(alice.stdout()).contains("alice-only.txt").doesNotContain("bob-only.txt")
                .contains("Remote working directory: /");
        assertThat(bob.stdout()).contains("bob-only.txt").doesNotContain("alice-only.txt");
        assertThat(bobRoot.resolve("from-bob.txt")).exists();
        assertThat(aliceRoot.resolve("from-bob.txt")).doesNotExist();
    }

    @Test
    void pathsNeverLeaveTheRoot() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "TOP-SECRET");
        Files.writeString(aliceRoot.resolve("mine.txt"), "mine");
        Files.createDirectories(aliceRoot.resolve("sub"));
        Files.createSymbolicLink(aliceRoot.resolve("to-outside"), outside);
        Files.createSymbolicLink(aliceRoot.resolve("secret-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(aliceRoot.resolve("sub/up"), Path.of("../../outside"));
        Files.createSymbolicLink(aliceRoot.resolve("inside-link"), Path.of("mine.txt"));
        String hostPath = outside.resolve("secret.txt").toString();

        Result r = sftp("alice", PASSWORD,
                "-get ../../outside/secret.txt got1.txt",
                "-get " + hostPath + " got2.txt",
                "-get secret-link got3.txt",
                "-get to-outside/secret.txt got4.txt",
                "-get sub/up/secret.txt got5.txt",
                "-get to-outside/../outside/secret.txt got6.txt",
                "-ls -l to-outside/",
                "-put " + writeSmall("planted.txt") + " to-outside/planted.txt",
                "-symlink ../../outside/secret.txt made-link",
                "cd ../../..",
                "pwd",
                "ls",
                "get inside-link got-inside.txt");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.all()).doesNotContain("TOP-SECRET");
        for (int i = 1; i <= 6; i++) {
            assertThat(client.resolve("got" + i + ".txt")).doesNotExist();
        }
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        assertThat(aliceRoot.resolve("made-link")).doesNotExist();
        assertThat(r.stdout()).contains("Remote working directory: /").contains("mine.txt");
        assertThat(Files.readString(client.resolve("got-inside.txt"))).isEqualTo("mine");
    }

    @Test
    void readOnlySessionRefusesChangesWithPermissionDenied() throws Exception {
        Files.writeString(readerRoot.resolve("keep.txt"), "keep");
        Files.createDirectories(readerRoot.resolve("dir"));
        Map<String, String> before = snapshot(readerRoot);

        Result r = sftp("reader", "reader-pass",
                "-put " + writeSmall("new.txt") + " new.txt",
                "-put " + writeSmall("keep.txt") + " keep.txt",
                "-mkdir made",
                "-rm keep.txt",
                "-rmdir dir",
                "-rename keep.txt renamed.txt",
                "get keep.txt read-back.txt");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stderr().split("Permission denied", -1)).hasSizeGreaterThanOrEqualTo(7);
        assertThat(snapshot(readerRoot)).isEqualTo(before);
        assertThat(Files.readString(client.resolve("read-back.txt"))).isEqualTo("keep");
    }

    @Test
    void servesAnyNioFileSystemWithoutClosingIt() throws Exception {
        Path zip = tmp.resolve("volume.zip");
        URI uri = URI.create("jar:" + zip.toUri());
        // MINA reads permissions through the "posix" view (else File.canRead): the served file system needs it
        try (FileSystem volume = FileSystems.newFileSystem(uri, Map.of("create", "true",
                "enablePosixFileAttributes", "true"))) {
            Files.createDirectories(volume.getPath("/vol"));
            Files.writeString(volume.getPath("/vol/inside.txt"), "zipped");
            realm.add("zip", "zip-pass", SftpSession.readWrite(volume.getPath("/vol")));
            // no put here: zipfs shows a new entry only after close, and MINA sets attributes right after open
            Result r = sftp("zip", "zip-pass", "mkdir made", "get inside.txt z.txt", "ls");
            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(Files.isDirectory(volume.getPath("/vol/made"))).isTrue();
            assertThat(Files.readString(client.resolve("z.txt"))).isEqualTo("zipped");
            assertThat(volume.isOpen()).as("MINA must not close the shared file system").isTrue();
        }
        try (FileSystem volume = FileSystems.newFileSystem(uri, Map.of("enablePosixFileAttributes", "true"))) {
            realm.add("zip", "zip-pass", SftpSession.readOnly(volume.getPath("/vol")));
            Result r = sftp("zip", "zip-pass", "-put " + writeSmall("late.txt") + " late.txt", "-mkdir late",
                    "-rmdir made", "get inside.txt z2.txt");
            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(r.stderr().split("Permission denied", -1)).as(r.stderr()).hasSize(4);
            assertThat(Files.exists(volume.getPath("/vol/late.txt"))).isFalse();
            assertThat(Files.exists(volume.getPath("/vol/late"))).isFalse();
            assertThat(Files.isDirectory(volume.getPath("/vol/made"))).isTrue();
        }
    }

    @Test
    void repeatedFailuresSlowDown() throws Exception {
        server.close();
        server = start(2);
        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Result r = sftp("alice", "wrong-" + i, "ls");
            assertThat(r.exitCode()).isNotZero();
            took.add(r.took());
        }
        // two free failures; then the server answers 1 s after the 2nd failure and 2 s after the 3rd, so the
        // 3rd and 4th attempts together span about 3 s whatever the client's own start-up costs
        assertThat(took.get(0)).isLessThan(Duration.ofMillis(1500));
        assertThat(took.get(1)).isLessThan(Duration.ofMillis(1500));
        assertThat(took.get(2).plus(took.get(3))).isGreaterThan(Duration.ofMillis(2500));
    }

    @Test
    void hostKeyIsGeneratedOnceAndKept() throws Exception {
        Path keyFile = tmp.resolve("hostkey/ssh_host_ec_key");
        byte[] first = Files.readAllBytes(keyFile);
        server.close();
        server = start(5);
        assertThat(Files.readAllBytes(keyFile)).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    }

    @Test
    void shellAndCommandsOtherThanScpAreRefused() throws Exception {
        OpenSsh.requireTool("ssh");
        List<String> cmd = new ArrayList<>(List.of("ssh"));
        cmd.addAll(OpenSsh.keyLogin(aliceKey));
        cmd.addAll(List.of("-p", Integer.toString(server.port()), "alice@127.0.0.1", "cat /etc/hostname"));
        Result r = OpenSsh.run(client, cmd, Duration.ofSeconds(30));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout()).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private String writeSmall(String name) throws IOException {
        Path p = client.resolve(name);
        Files.writeString(p, "small file " + name);
        return p.toString();
    }

    private static void writeRandom(Path file, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        buf[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }

    private static void patchFirstByte(Path file, byte value) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {value}), 0);
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String key = root.relativize(p).toString();
                state.put(key, Files.isDirectory(p) ? "dir" : Files.readString(p) + "@" + Files.getLastModifiedTime(p));
            }
        }
        return state;
    }
}
