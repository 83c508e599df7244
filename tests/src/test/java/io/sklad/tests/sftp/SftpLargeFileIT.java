package io.sklad.tests.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sklad.tests.harness.RandomFiles;
import io.sklad.tests.sftp.SshClients.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of backup size through {@code sftp -b}: the upload streams into the write path (the agent runs with
 * -Xmx512m), the download gives back the same SHA-256, and the commit of a big file neither fails nor stops
 * anyone else.
 */
class SftpLargeFileIT {

    private static final String PW = SkladUp.ADMIN_PASSWORD;
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    SkladUp up;
    SshClients ssh;
    Path client;

    private void startUp() throws Exception {
        SshClients.requireTool("sftp");
        SshClients.requireTool("sshpass");
        up = SkladUp.start(dir);
        client = Files.createDirectories(dir.resolve("client"));
        ssh = new SshClients(up.sftpPort(), client);
    }

    @AfterEach
    void stopUp() throws Exception {
        if (up != null) {
            up.stop("SftpLargeFileIT");
        }
    }

    private Run sftp(String... commands) throws Exception {
        return ssh.sftp("admin", PW, SshClients.passwordLogin(), Duration.ofMinutes(10), commands);
    }

    private Run sftpOk(String... commands) throws Exception {
        Run r = sftp(commands);
        assertThat(r.exitCode()).as(r.all() + "\n--- sklad up\n" + up.tail()).isZero();
        return r;
    }

    /**
     * 1 GiB put and get with {@code sftp -b}: the same SHA-256 back, one version stored; meanwhile another
     * session makes a directory every half second, and none of those waits for the big commit or fails.
     * (FuseLargeFileIT writes 2 GiB through the same write path; one GiB here keeps CI inside its budget.)
     */
    @Test
    void batchPutAndGetOfOneGibibyteKeepTheSha256WhileOthersWork() throws Exception {
        startUp();
        Path big = RandomFiles.create(client.resolve("big.bin"), GIB, 2024);
        String sha = RandomFiles.sha256(big);
        long rssBefore = up.process().peakRssKib();
        sftpOk("mkdir /main/backup");

        CompletableFuture<Run> put = CompletableFuture.supplyAsync(() -> {
            try {
                return sftp("cd /main/backup", "put big.bin big.bin", "ls -l");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> failures = new ArrayList<>();
        int made = 0;
        while (!put.isDone()) {
            Run mkdir = sftp("mkdir /main/meanwhile-" + made++);
            if (mkdir.exitCode() != 0) {
                failures.add(mkdir.stderr().strip());
            }
            Thread.sleep(500);
        }
        Run putRun = put.get();
        assertThat(putRun.exitCode()).as(putRun.all() + "\n--- sklad up\n" + up.tail()).isZero();
        assertThat(putRun.stdout()).containsPattern("\\s" + GIB + "\\s.*big\\.bin");
        assertThat(failures).as(made + " mkdirs while the upload ran").isEmpty();

        Run get = sftpOk("get /main/backup/big.bin back.bin");
        Path back = client.resolve("back.bin");
        assertThat(Files.size(back)).isEqualTo(GIB);
        assertThat(RandomFiles.sha256(back)).isEqualTo(sha);
        assertThat(up.inspect("size /main/backup/big.bin", "versions /main/backup/big.bin"))
                .containsExactly(Long.toString(GIB), "1");
        System.out.printf("SftpLargeFileIT: 1 GiB sftp put %.1f MiB/s, get %.1f MiB/s; sklad up peak RSS %d MiB"
                + " (before %d MiB); %d mkdirs meanwhile%n", 1024 / seconds(putRun.took()), 1024 / seconds(get.took()),
                up.process().peakRssKib() / 1024, rssBefore / 1024, made);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
