package io.sklad.cli.command;

import io.sklad.cli.agent.AgentSessions;
import io.sklad.cli.agent.Closer;
import io.sklad.cli.agent.Frontends;
import io.sklad.cli.config.ClientOptions;
import io.sklad.cli.config.ClusterConnection;
import io.sklad.cli.config.HostPort;
import io.sklad.cli.io.ErrorReporter.UsageException;
import io.sklad.mount.FuseMount;
import io.sklad.mount.MountOptions;
import io.sklad.sftp.SftpServer;
import io.sklad.vfs.fs.SkladFileSystem;
import io.sklad.webdav.WebDavServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The agent's drives, each as its own foreground command against the cluster in the profile. */
public final class FrontendCommands {

    private FrontendCommands() {
    }

    static Path agentDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sklad").resolve("agent");
    }

    @Command(name = "mount", mixinStandardHelpOptions = true,
            description = "Mount a volume with FUSE (foreground; Ctrl+C or 'fusermount -u' unmounts).")
    public static final class Mount implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "MOUNTPOINT")
        Path mountPoint;

        @Option(names = "--single-threaded", description = "Serve FUSE calls on one thread (libfuse -s).")
        boolean singleThreaded;

        @Option(names = "-o", split = ",", paramLabel = "OPTIONS",
                description = "Mount options for libfuse and the kernel, comma-separated, e.g. ro,"
                        + " attr_timeout=SECONDS, entry_timeout=SECONDS (how long the kernel caches attributes and"
                        + " names; default 1), allow_other (needs user_allow_other in /etc/fuse.conf unless root).")
        java.util.List<String> options = new java.util.ArrayList<>();

        @Option(names = "--cache-size", defaultValue = "1GiB", paramLabel = "SIZE",
                description = "On-disk cache of blocks read through the mount (default: ${DEFAULT-VALUE}; 0 turns it off).")
        String cacheSize;

        @Override
        public Integer call() throws Exception {
            MountOptions mountOptions;
            try {
                mountOptions = MountOptions.defaults().withSingleThreaded(singleThreaded).withExtraOptions(options);
            } catch (IllegalArgumentException e) {
                throw new UsageException("-o: " + e.getMessage());
            }
            long cacheBytes;
            try {
                cacheBytes = io.sklad.cli.io.Units.parseSize(cacheSize);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--cache-size: " + e.getMessage());
            }
            java.time.Duration attributeTtl = attributeTtl(options);
            try (Closer closer = new Closer()) {
                Runtime.getRuntime().addShutdownHook(new Thread(closer::close, "sklad-mount-shutdown"));
                ClusterConnection connection = new ClusterConnection(client, System.getenv());
                // each mount has its own spill area and cache: two mounts on one machine never share files
                Path work = connection.agentWorkDir().resolveSibling("mounts")
                        .resolve(volume.replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                        + Integer.toHexString(mountPoint.toAbsolutePath().normalize().hashCode()));
                SkladFileSystem fs = closer.register(connection.open(work, cacheBytes, attributeTtl));
                Path root = fs.getPath("/" + volume);
                if (!Files.isDirectory(root)) {
                    throw new java.nio.file.NoSuchFileException("/" + volume, null, "no such volume");
                }
                FuseMount m = closer.register(Frontends.fuse(root, mountPoint, mountOptions));
                System.out.println("mounted volume " + volume + " at " + m.mountPoint().toAbsolutePath());
                System.out.flush();
                // ends on Ctrl+C / SIGTERM (shutdown hook) or when someone runs 'fusermount -u' on the mount
                while (m.isMounted()) {
                    Thread.sleep(500);
                }
                System.out.println("unmounted " + m.mountPoint().toAbsolutePath());
            }
            return 0;
        }

        /**
         * The agent trusts attributes as long as the kernel does ({@code attr_timeout}, libfuse's default 1 s):
         * a listing then answers the lookups of its entries that follow it, one call to the master in all.
         */
        static java.time.Duration attributeTtl(java.util.List<String> options) {
            java.time.Duration ttl = java.time.Duration.ofSeconds(1);
            for (String o : options) {
                if (o.startsWith("attr_timeout=")) {
                    try {
                        double seconds = Double.parseDouble(o.substring("attr_timeout=".length()));
                        ttl = java.time.Duration.ofMillis(Math.max(0, Math.round(seconds * 1000)));
                    } catch (NumberFormatException e) {
                        throw new UsageException("-o attr_timeout: not a number of seconds: " + o);
                    }
                }
            }
            return ttl;
        }
    }

    @Command(name = "webdav", mixinStandardHelpOptions = true,
            description = "Serve the cluster's volumes over WebDAV (foreground) for Explorer, Finder, davfs2.")
    public static final class Webdav implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--listen", defaultValue = "127.0.0.1:7780", description = "HOST:PORT (default: ${DEFAULT-VALUE}).")
        String listen;

        @Option(names = "--allow-plain-http", description = "Allow plain HTTP on a non-loopback address (passwords cross the network readable).")
        boolean allowPlain;

        @Override
        public Integer call() throws Exception {
            HostPort hp = HostPort.parse(listen);
            try (Closer closer = new Closer()) {
                Runtime.getRuntime().addShutdownHook(new Thread(closer::close, "sklad-webdav-shutdown"));
                String master = new ClusterConnection(client, System.getenv()).masterAddress();
                AgentSessions sessions = closer.register(new AgentSessions(master, null, agentDir(), -1));
                WebDavServer dav = closer.register(Frontends.webdav(hp.host(), hp.port(), sessions, allowPlain));
                System.out.println("WebDAV on http://" + hp.host() + ":" + dav.port() + "/  (master " + master + ")");
                System.out.flush();
                Waiting.untilShutdown();
            }
            return 0;
        }
    }

    @Command(name = "sftp", mixinStandardHelpOptions = true,
            description = "Serve the cluster's volumes over SFTP and SCP (foreground) for scripts.")
    public static final class Sftp implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--listen", defaultValue = "127.0.0.1:7722", description = "HOST:PORT (default: ${DEFAULT-VALUE}).")
        String listen;

        @Option(names = "--host-key", description = "Host key file, created once (default: ~/.cache/sklad/agent/ssh_host_key).")
        Path hostKey;

        @Option(names = "--join-token-file", description = "Cluster join token (the master's DATA/join.token): enables SSH key logins, which this agent vouches for.")
        Path joinTokenFile;

        @Override
        public Integer call() throws Exception {
            HostPort hp = HostPort.parse(listen);
            try (Closer closer = new Closer()) {
                Runtime.getRuntime().addShutdownHook(new Thread(closer::close, "sklad-sftp-shutdown"));
                String master = new ClusterConnection(client, System.getenv()).masterAddress();
                String join = joinTokenFile == null ? System.getenv("SKLAD_JOIN_TOKEN")
                        : Files.readString(joinTokenFile).trim();
                AgentSessions sessions = closer.register(new AgentSessions(master, join, agentDir(), -1));
                Path key = hostKey != null ? hostKey : agentDir().resolve("ssh_host_key");
                SftpServer server = closer.register(Frontends.sftp(hp.host(), hp.port(), key, sessions));
                System.out.println("SFTP/SCP on " + hp.host() + ":" + server.port() + "  (master " + master + ")");
                System.out.flush();
                Waiting.untilShutdown();
            }
            return 0;
        }
    }
}
