package io.sklad.tests.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.CommandResult;
import io.sklad.tests.harness.Commands;
import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.sftp.SshClients.Run;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script endpoint of {@code sklad up} with the real clients a backup script uses: OpenSSH {@code sftp -b}
 * and {@code scp} (SFTP-based and legacy {@code -O}), and {@code sshfs}, all logging in as admin with a
 * password through {@code sshpass}. What the clients did is checked through a separate agent, not only
 * through the endpoint itself. The 1 GiB round trip is in {@link SftpLargeFileIT}, bad input in
 * {@link SftpBadInputIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SftpIT {

    private static final String PW = SkladUp.ADMIN_PASSWORD;

    @TempDir
    static Path dir;

    SkladUp up;
    SshClients ssh;
    Path client;

    @BeforeAll
    void startUp() throws Exception {
        SshClients.requireTool("sftp");
        SshClients.requireTool("sshpass");
        up = SkladUp.start(dir);
        client = Files.createDirectories(dir.resolve("client"));
        ssh = new SshClients(up.sftpPort(), client);
    }

    @AfterAll
    void stopUp() throws Exception {
        if (up != null) {
            assertThat(up.stop("SftpIT")).as(tail()).isIn(0, 130, 143);
        }
    }

    private String tail() {
        return up.tail();
    }

    private Run sftp(Duration timeout, String... commands) throws Exception {
        return ssh.sftp("admin", PW, SshClients.passwordLogin(), timeout, commands);
    }

    private Run sftpOk(Duration timeout, String... commands) throws Exception {
        Run r = sftp(timeout, commands);
        assertThat(r.exitCode()).as(r.all() + "\n--- sklad up\n" + tail()).isZero();
        return r;
    }

    @Test
    @Order(1)
    void rootListsTheVolumes() throws Exception {
        Run r = sftpOk(Duration.ofSeconds(60), "pwd", "ls -1 /", "cd main", "pwd");
        assertThat(r.stdout()).contains("Remote working directory: /\n").contains("main")
                .contains("Remote working directory: /main");
    }

    @Test
    @Order(2)
    void batchTreeOperations() throws Exception {
        Path small = RandomFiles.create(client.resolve("small.bin"), 100_000, 3);
        RandomFiles.create(client.resolve("other.bin"), 70_000, 4);
        String sha = RandomFiles.sha256(small);
        Run r = sftpOk(Duration.ofMinutes(2),
                "mkdir /main/batch",
                "cd /main/batch",
                "mkdir sub",
                "mkdir sub/deeper",
                "put small.bin sub/deeper/small.bin",
                "put other.bin other.bin",
                "rename other.bin renamed.bin",
                "rename sub/deeper/small.bin sub/moved.bin",
                "ls -l",
                "ls -l sub",
                "rmdir sub/deeper",
                "put small.bin gone.bin",
                "rm gone.bin",
                "ls -1 /main/batch");
        assertThat(r.stdout()).contains("renamed.bin").contains("moved.bin").containsPattern("100000\\s.*moved\\.bin");

        assertThat(up.inspect("size /main/batch/renamed.bin", "size /main/batch/other.bin", "size /main/batch/gone.bin",
                "size /main/batch/sub/deeper", "sha256 /main/batch/sub/moved.bin"))
                .containsExactly("70000", "-1", "-1", "-1", sha);

        // a failing command stops the batch with a non-zero exit and the SFTP status in words
        Run missing = sftp(Duration.ofSeconds(60), "get /main/batch/no-such-file x.bin", "rm /main/batch/renamed.bin");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("not found");
        assertThat(up.query("size /main/batch/renamed.bin")).as("the batch stopped at the error").isEqualTo("70000");

        // errors come as statuses OpenSSH (SFTP version 3) knows, never "Unknown status"
        Run errors = sftp(Duration.ofSeconds(60), "-mkdir /main/batch/sub", "-rmdir /main/batch/sub",
                "-rm /main/batch/sub", "-rename /main/batch/renamed.bin /main/batch/sub", "-rmdir /main");
        assertThat(errors.stderr()).as(errors.all()).doesNotContain("Unknown status");
        assertThat(errors.stderr().split("\n")).as(errors.all()).hasSize(5);

        sftpOk(Duration.ofSeconds(60), "rm /main/batch/renamed.bin", "rm /main/batch/sub/moved.bin",
                "rmdir /main/batch/sub", "rmdir /main/batch");
        assertThat(up.query("size /main/batch")).isEqualTo("-1");
    }

    /**
     * A transfer killed half-way (the client gone, no clean close) and then {@code reput}: the upload goes on
     * from what was stored. A byte changed in the stored part before the resume proves the resume appended
     * instead of sending the file again.
     */
    @Test
    @Order(3)
    void reputResumesAnInterruptedUpload() throws Exception {
        long size = 48L << 20;
        Path local = RandomFiles.create(client.resolve("resume.bin"), size, 4);

        // about 5 MB/s, so the kill lands in the middle
        List<String> cmd = List.of("sshpass", "-e", "sftp");
        Path batch = client.resolve("resume.batch");
        Files.writeString(batch, "put resume.bin /main/resume.bin\n");
        List<String> full = new java.util.ArrayList<>(cmd);
        full.addAll(SshClients.passwordLogin());
        full.addAll(List.of("-l", "40000", "-P", Integer.toString(up.sftpPort()), "-b", batch.toString(),
                "admin@127.0.0.1"));
        ProcessBuilder pb = new ProcessBuilder(full).directory(client.toFile())
                .redirectOutput(client.resolve("interrupted.out").toFile()).redirectErrorStream(true);
        pb.environment().put("SSHPASS", PW);
        pb.environment().remove("SSH_AUTH_SOCK");
        Process transfer = pb.start();
        Thread.sleep(4000);
        assertThat(transfer.isAlive()).as("the transfer should still run: " + Files.readString(client.resolve(
                "interrupted.out"))).isTrue();
        transfer.descendants().forEach(ProcessHandle::destroyForcibly);
        transfer.destroyForcibly();
        transfer.waitFor(30, TimeUnit.SECONDS);

        long partial = awaitStoredSize("/main/resume.bin", Duration.ofSeconds(60));
        assertThat(partial).as("part stored before the kill\n" + tail()).isBetween(1L, size - 1);

        // the marker: flip the first stored byte (a new version, committed by the other agent)
        byte first = (byte) Integer.parseInt(up.query("flip-first-byte /main/resume.bin"));

        sftpOk(Duration.ofMinutes(3), "reput resume.bin /main/resume.bin");
        assertThat(up.query("size /main/resume.bin")).isEqualTo(Long.toString(size));

        Path back = client.resolve("resume.back");
        sftpOk(Duration.ofMinutes(2), "get /main/resume.bin resume.back");
        try (RandomAccessFile raf = new RandomAccessFile(back.toFile(), "rw")) {
            assertThat((byte) raf.read()).as("the stored part was kept, not sent again").isEqualTo((byte) ~first);
            raf.seek(0);
            raf.write(first);
        }
        assertThat(RandomFiles.sha256(back)).isEqualTo(RandomFiles.sha256(local));
        assertThat(Integer.parseInt(up.query("versions /main/resume.bin"))).as("partial, marker, resumed")
                .isGreaterThanOrEqualTo(3);
    }

    /** The stored size once it is above zero and the same twice in a row (the server commits on its own time). */
    private long awaitStoredSize(String remote, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -2;
        while (System.nanoTime() < deadline) {
            long now = Long.parseLong(up.query("size " + remote));
            if (now > 0 && now == last) {
                return now;
            }
            last = now;
            Thread.sleep(500);
        }
        return last;
    }

    @Test
    @Order(4)
    void scpBothWaysWithSftpAndLegacyProtocol() throws Exception {
        Path file = RandomFiles.create(client.resolve("scp.bin"), 5L << 20, 5);
        Path tree = makeTree(client.resolve("scp-tree"));
        String sha = RandomFiles.sha256(file);
        for (boolean legacy : new boolean[] {false, true}) {
            String mode = legacy ? "legacy" : "sftp";
            String remote = "admin@127.0.0.1:/main/scp-" + mode;
            assertOk(ssh.scp(PW, legacy, false, file.toString(), remote + ".bin"));
            assertOk(ssh.scp(PW, legacy, true, tree.toString(), remote + "-tree"));

            Path back = client.resolve("back-" + mode + ".bin");
            Path treeBack = client.resolve("back-" + mode + "-tree");
            assertOk(ssh.scp(PW, legacy, false, remote + ".bin", back.toString()));
            assertOk(ssh.scp(PW, legacy, true, remote + "-tree", treeBack.toString()));
            assertThat(RandomFiles.sha256(back)).as(mode).isEqualTo(sha);
            CommandResult diff = Commands.run(client, Map.of(), 60, List.of("diff", "-r", tree.toString(),
                    treeBack.toString()));
            assertThat(diff.exitCode()).as(mode + " " + diff).isZero();
        }
        assertThat(up.inspect("sha256 /main/scp-sftp.bin", "sha256 /main/scp-legacy.bin",
                "sha256 /main/scp-legacy-tree/a/b/c/more")).containsExactly(sha, sha,
                RandomFiles.sha256(tree.resolve("a/b/c/more")));
        // a missing remote file: scp fails and creates nothing locally
        for (boolean legacy : new boolean[] {false, true}) {
            Path none = client.resolve("none-" + legacy);
            Run r = ssh.scp(PW, legacy, false, "admin@127.0.0.1:/main/no-such.bin", none.toString());
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stderr()).containsIgnoringCase("no such file");
            assertThat(none).doesNotExist();
        }
    }

    private void assertOk(Run r) {
        assertThat(r.exitCode()).as(r.all() + "\n--- sklad up\n" + tail()).isZero();
    }

    /** Nested directories, empty and block-edge files, a relative symlink, a private file, an old mtime. */
    private static Path makeTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("empty-dir"));
        RandomFiles.create(root.resolve("zero"), 0, 1);
        RandomFiles.create(root.resolve("one"), 1, 2);
        RandomFiles.create(root.resolve("a/block"), 65536, 3);
        RandomFiles.create(root.resolve("a/b/block-plus"), 65537, 4);
        RandomFiles.create(root.resolve("a/b/c/more"), 300_000, 5);
        Files.writeString(root.resolve("a/b/c/text.txt"), "Склад: файлы на месте\n");
        return root;
    }

    @Test
    @Order(5)
    void sshfsMountCopiesATreeWithCpAndDiff() throws Exception {
        SshClients.requireTool("sshfs");
        Path tree = makeTree(client.resolve("fs-tree"));
        Files.createSymbolicLink(tree.resolve("a/link-to-block"), Path.of("block"));
        Path secret = tree.resolve("private.txt");
        Files.writeString(secret, "only me");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(tree.resolve("one"), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
        sftpOk(Duration.ofSeconds(60), "mkdir /main/sshfs");

        Path mnt = Files.createDirectories(client.resolve("mnt"));
        try {
            Run mount = ssh.sshfsMount("admin", PW, "/main/sshfs", mnt);
            assertOk(mount);
            assertThat(SshClients.isMounted(mnt)).isTrue();
            // as root cp -a also lchowns and lutimes the link, which sshfs sends as SETSTAT through it: in readdir
            // order the link may come before its target, and then the server changes the link itself
            CommandResult copy = Commands.shell(client, 120, "cp -a fs-tree mnt/fs-tree && diff -r fs-tree mnt/fs-tree"
                    + " && stat -c '%a %Y %N' mnt/fs-tree/private.txt mnt/fs-tree/one mnt/fs-tree/a/link-to-block");
            assertThat(copy.exitCode()).as(copy + "\n--- sklad up\n" + tail()).isZero();
            assertThat(copy.stdout()).contains("600 ").contains(" 1600000000 ").contains("-> 'block'");
            CommandResult out = Commands.shell(client, 120, "cp -a mnt/fs-tree fs-tree-back && diff -r fs-tree fs-tree-back");
            assertThat(out.exitCode()).as(out.toString()).isZero();
        } finally {
            ssh.unmount(mnt);
        }
        assertThat(SshClients.isMounted(mnt)).isFalse();

        // stored as copied, seen by another agent
        Map<String, String> stored = up.tree();
        assertThat(stored.get("/main/sshfs/fs-tree/a/b/c/more")).as(stored.toString())
                .contains("size=300000 ").contains("sha256=" + RandomFiles.sha256(tree.resolve("a/b/c/more")));
        assertThat(stored.get("/main/sshfs/fs-tree/zero")).startsWith("file size=0 ");
        assertThat(stored.get("/main/sshfs/fs-tree/empty-dir")).isEqualTo("dir");
        assertThat(stored.get("/main/sshfs/fs-tree/a/link-to-block")).isEqualTo("link -> block");
    }
}
