package io.sklad.cli.command;

import io.sklad.cli.agent.AgentSessions;
import io.sklad.cli.agent.Closer;
import io.sklad.cli.agent.Frontends;
import io.sklad.cli.cluster.EmbeddedCluster;
import io.sklad.cli.config.ClientProfile;
import io.sklad.cli.config.Durations;
import io.sklad.cli.io.Units;
import io.sklad.metadata.auth.Authenticator;
import io.sklad.mount.FuseMount;
import io.sklad.mount.MountOptions;
import io.sklad.sftp.SftpServer;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.fs.SkladFileSystem;
import io.sklad.webdav.WebDavServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sklad up}: master, workers and the agent with its drives in one process, all data under one
 * directory — what a newcomer starts first.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start master, workers and the agent (WebDAV, SFTP, FUSE) in one process, data under one directory.")
public final class UpCommand implements Callable<Integer> {

    static final String VOLUME = "main";

    @Option(names = "--data", defaultValue = "sklad-data", description = "Data directory (default: ./${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--workers", defaultValue = "3", description = "Number of workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to serve on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--master-port", defaultValue = "7700", description = "Master gRPC port, 0 = any free (default: ${DEFAULT-VALUE}).")
    int masterPort;

    @Option(names = "--webdav-port", defaultValue = "7780", description = "WebDAV port, 0 = any free (default: ${DEFAULT-VALUE}).")
    int webdavPort;

    @Option(names = "--sftp-port", defaultValue = "7722", description = "SFTP/SCP port, 0 = any free (default: ${DEFAULT-VALUE}).")
    int sftpPort;

    @Option(names = "--mount", description = "Where to mount volume main with FUSE (default: DATA/mnt/main).")
    Path mountPoint;

    @Option(names = "--no-fuse", description = "Do not mount the FUSE drive.")
    boolean noFuse;

    @Option(names = "--no-webdav", description = "Do not serve WebDAV.")
    boolean noWebdav;

    @Option(names = "--no-sftp", description = "Do not serve SFTP/SCP.")
    boolean noSftp;

    @Option(names = "--suspect-after", defaultValue = "30s", description = "Worker silence before it is skipped for writes (default: ${DEFAULT-VALUE}).")
    String suspectAfter;

    @Option(names = "--dead-after", defaultValue = "10m", description = "Worker silence before its copies count as lost (default: ${DEFAULT-VALUE}).")
    String deadAfter;

    @Option(names = "--token-ttl", defaultValue = "30d", description = "Lifetime of login tokens, and the longest a client may ask for (default: ${DEFAULT-VALUE}).")
    String tokenTtl;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1");
        }
        Closer closer = new Closer();
        Runtime.getRuntime().addShutdownHook(new Thread(closer::close, "sklad-up-shutdown"));
        try {
            return start(closer);
        } catch (Exception e) {
            closer.close();
            throw e;
        }
    }

    private int start(Closer closer) throws Exception {
        String adminPassword = System.getenv("SKLAD_ADMIN_PASSWORD");
        EmbeddedCluster.Settings settings = EmbeddedCluster.Settings.defaults(data).withWorkers(workers)
                .withMasterPort(masterPort);
        settings = new EmbeddedCluster.Settings(settings.dataDir(), host, settings.masterPort(), workers,
                Durations.parse(suspectAfter), Durations.parse(deadAfter), settings.heartbeat(), settings.labels(),
                Durations.parse(tokenTtl));
        EmbeddedCluster cluster = closer.register(EmbeddedCluster.start(settings, adminPassword, Duration.ofSeconds(60)));
        String master = cluster.masterAddress();

        // The embedding process is trusted: it logs admin in without a password and saves the profile.
        Authenticator.Session session = cluster.master().issueSession("admin");
        Path profile = data.resolve(ClientProfile.FILE_NAME);
        new ClientProfile(master, "admin", session.token(), session.chunkToken(), session.expiresAtMillis()).save(profile);

        Path agentDir = data.resolve("agent");
        SkladFileSystem adminFs = closer.register(SkladFileSystem.open(
                new AgentConfig(master, "admin", null, session.token(), agentDir.resolve("admin"), 0, -1, null)));
        VolumeInfo volume = ensureVolume(adminFs);
        AgentSessions sessions = closer.register(new AgentSessions(master, cluster.master().joinToken(), agentDir, -1));

        String webdav = "disabled (--no-webdav)";
        if (!noWebdav) {
            // WebDAV gets file systems of its own (own lease holders): a WebDAV lock then keeps this agent's
            // SFTP writers of the same user out, as it does FUSE and other agents
            AgentSessions davSessions = closer.register(new AgentSessions(master, null, agentDir.resolve("webdav"), -1));
            WebDavServer dav = closer.register(Frontends.webdav(host, webdavPort, davSessions, false));
            webdav = "http://" + host + ":" + dav.port() + "/" + VOLUME + "/   (user admin)";
        }
        String sftp = "disabled (--no-sftp)";
        if (!noSftp) {
            SftpServer server = closer.register(Frontends.sftp(host, sftpPort, agentDir.resolve("ssh_host_key"), sessions));
            sftp = "sftp -P " + server.port() + " admin@" + host + "   (scp -P " + server.port() + " FILE admin@" + host + ":/" + VOLUME + "/)";
        }
        String fuse = mountFuse(closer, adminFs);

        System.out.println("Sklad is up.");
        System.out.println("  master:   " + master);
        System.out.println("  workers:  " + workers + " (data in " + data.resolve("workers").toAbsolutePath() + "/1.." + workers + ")");
        System.out.println("  volume:   " + volume.name() + " (" + volume.replicas() + " replicas, "
                + Units.bytes(volume.blockSize()) + " blocks)");
        if (cluster.admin().created() && adminPassword == null) {
            System.out.println("  user:     admin, password " + cluster.admin().password() + "  (shown once: keep it)");
        } else {
            System.out.println("  user:     admin" + (adminPassword != null ? " (password from SKLAD_ADMIN_PASSWORD)" : ""));
        }
        System.out.println("  profile:  " + profile.toAbsolutePath() + "  (sklad commands run here use it)");
        System.out.println("  webdav:   " + webdav);
        System.out.println("  sftp:     " + sftp);
        System.out.println("  fuse:     " + fuse);
        System.out.println("Press Ctrl+C to stop.");
        System.out.flush();
        Waiting.untilShutdown();
        return 0;
    }

    private VolumeInfo ensureVolume(SkladFileSystem fs) throws Exception {
        Optional<VolumeInfo> existing = fs.listVolumes().stream().filter(v -> v.name().equals(VOLUME)).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        return fs.createVolume(VOLUME, Math.min(3, workers), 64 * 1024);
    }

    private String mountFuse(Closer closer, SkladFileSystem fs) {
        if (noFuse) {
            return "disabled (--no-fuse)";
        }
        Optional<String> why = FuseMount.unavailableReason();
        if (why.isPresent()) {
            return "skipped: " + why.get();
        }
        Path mp = mountPoint != null ? mountPoint : data.resolve("mnt").resolve(VOLUME);
        try {
            FuseMount m = closer.register(Frontends.fuse(fs.getPath("/" + VOLUME), mp, MountOptions.defaults()));
            return m.mountPoint().toAbsolutePath() + "  (volume " + VOLUME + ")";
        } catch (Exception e) {
            return "skipped: " + io.sklad.cli.io.ErrorReporter.describe(e);
        }
    }
}
