package io.sklad.cli.command;

import io.sklad.cli.config.ClientOptions;
import io.sklad.cli.config.ClientProfile;
import io.sklad.cli.config.ClusterConnection;
import io.sklad.cli.config.Durations;
import io.sklad.cli.config.HostPort;
import io.sklad.cli.io.ErrorReporter;
import io.sklad.cli.io.Units;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.FileVersionInfo;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The client commands: each one short, all of them over {@link SkladFileSystem}. */
public final class ClientCommands {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private ClientCommands() {
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Log in to a cluster and keep the token in a profile (default ~/.config/sklad/profile.yaml).")
    public static final class Login implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--user", description = "User name (default: SKLAD_USER, else admin).")
        String user;

        @Option(names = "--password-stdin", description = "Read the password from standard input.")
        boolean passwordStdin;

        @Option(names = "--ttl", description = "How long the token lives, e.g. 8h (default and maximum: the master's --token-ttl).")
        String ttl;

        @Override
        public Integer call() throws Exception {
            Duration lifetime = ttl == null ? null : Durations.parse(ttl);
            ClusterConnection conn = new ClusterConnection(client, System.getenv());
            String master = conn.masterAddress();
            String name = user != null ? user : System.getenv().getOrDefault("SKLAD_USER", "admin");
            String password = readPassword(name);
            Path file = client.profile != null ? client.profile : ClientProfile.userProfile();
            try (GrpcMetadataClient meta = new GrpcMetadataClient(master, Duration.ofSeconds(30))) {
                LoginResult r = meta.login(name, password, lifetime);
                new ClientProfile(master, name, r.token(), r.chunkToken(), r.expiresAtMillis()).save(file);
                System.out.println("logged in to " + master + " as " + name + " until "
                        + TIME.format(Instant.ofEpochMilli(r.expiresAtMillis())) + "; profile " + file);
            }
            return 0;
        }

        private String readPassword(String name) throws IOException {
            if (passwordStdin) {
                return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            String env = System.getenv("SKLAD_PASSWORD");
            if (env != null) {
                return env;
            }
            Console console = System.console();
            if (console == null) {
                throw new ErrorReporter.UsageException("no password: use --password-stdin or set SKLAD_PASSWORD");
            }
            char[] pw = console.readPassword("Password for %s: ", name);
            return pw == null ? "" : new String(pw);
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Copy a local file into Sklad (streamed).")
    public static final class Put extends ClientCommand {
        @Parameters(index = "0", paramLabel = "LOCAL")
        Path local;

        @Parameters(index = "1", paramLabel = "/VOLUME/PATH")
        String target;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            Transfers.put(local, Transfers.into(remote(fs, target), local.getFileName().toString()));
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Copy a file out of Sklad (streamed).")
    public static final class Get extends ClientCommand {
        @Option(names = "--version", description = "Read this version (see 'sklad versions') instead of the current one.")
        Long version;

        @Parameters(index = "0", paramLabel = "/VOLUME/PATH")
        String source;

        @Parameters(index = "1", paramLabel = "LOCAL")
        Path local;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            Path src = remote(fs, source);
            Path dst = Files.isDirectory(local) ? local.resolve(src.getFileName().toString()) : local;
            Transfers.get(fs, src, version, dst);
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a directory (or show one file).")
    public static final class Ls extends ClientCommand {
        @Option(names = "-l", description = "Long format: type and permissions, owner, size, time.")
        boolean longFormat;

        @Parameters(index = "0", paramLabel = "/VOLUME/PATH", defaultValue = "/")
        String path;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            Path p = remote(fs, path);
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory()) {
                print(p, p.getFileName() == null ? path : p.getFileName().toString());
                return 0;
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                ds.forEach(children::add);
            }
            children.sort(null);
            for (Path c : children) {
                print(c, c.getFileName().toString());
            }
            return 0;
        }

        private void print(Path p, String name) throws IOException {
            if (!longFormat) {
                out.println(name);
                return;
            }
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            char type = a.isDirectory() ? 'd' : a.isSymbolicLink() ? 'l' : '-';
            out.printf(Locale.ROOT, "%c%s %6s %6s %14d %s %s%n", type, PosixFilePermissions.toString(a.permissions()),
                    a.owner().getName(), a.group().getName(), a.size(),
                    TIME.format(a.lastModifiedTime().toInstant()), name);
        }
    }

    @Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Create a directory.")
    public static final class Mkdir extends ClientCommand {
        @Option(names = "-p", description = "Create missing parents; no error if it exists.")
        boolean parents;

        @Parameters(paramLabel = "/VOLUME/PATH", arity = "1..*")
        List<String> paths;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            for (String s : paths) {
                Path p = remote(fs, s);
                if (parents) {
                    Files.createDirectories(p);
                } else {
                    Files.createDirectory(p);
                }
            }
            return 0;
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true,
            description = "Rename or move (into a directory when the target is one); replaces a target file.")
    public static final class Mv extends ClientCommand {
        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET")
        String target;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            Path src = remote(fs, source);
            Path dst = remote(fs, target);
            if (Files.isDirectory(dst)) {
                dst = dst.resolve(src.getFileName().toString());
            }
            Files.move(src, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove files or directories (they stay in history until retention removes them).")
    public static final class Rm extends ClientCommand {
        @Option(names = {"-r", "--recursive"}, description = "Remove directories and their contents.")
        boolean recursive;

        @Parameters(paramLabel = "/VOLUME/PATH", arity = "1..*")
        List<String> paths;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            for (String s : paths) {
                Path p = remote(fs, s);
                if (recursive) {
                    Transfers.deleteTree(p);
                } else {
                    Files.delete(p);
                }
            }
            return 0;
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Show a file's attributes.")
    public static final class Stat extends ClientCommand {
        @Parameters(index = "0", paramLabel = "/VOLUME/PATH")
        String path;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            Path p = remote(fs, path);
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            out.println("path:     " + path);
            out.println("type:     " + (b.isDirectory() ? "directory" : b.isSymbolicLink() ? "symlink" : "file"));
            out.println("size:     " + b.size() + " (" + Units.bytes(b.size()) + ")");
            out.println("mode:     " + String.format(Locale.ROOT, "%04o", ((Number) a.get("mode")).intValue() & 07777));
            out.println("uid/gid:  " + a.get("uid") + "/" + a.get("gid"));
            out.println("inode:    " + a.get("ino"));
            out.println("modified: " + TIME.format(b.lastModifiedTime().toInstant()));
            out.println("created:  " + TIME.format(b.creationTime().toInstant()));
            if (b.isSymbolicLink()) {
                out.println("target:   " + Files.readSymbolicLink(p));
            }
            return 0;
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "List a file's versions: id, time, size.")
    public static final class Versions extends ClientCommand {
        @Parameters(index = "0", paramLabel = "/VOLUME/PATH")
        String path;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            out.printf(Locale.ROOT, "%-12s %-19s %14s%n", "VERSION", "TIME", "SIZE");
            for (FileVersionInfo v : fs.listVersions(remote(fs, path))) {
                out.printf(Locale.ROOT, "%-12d %-19s %14d%s%n", v.version(),
                        TIME.format(Instant.ofEpochMilli(v.committedMillis())), v.size(), v.current() ? "  (current)" : "");
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Nodes (alive, suspect, dead), capacity and use, blocks below their replication factor.")
    public static final class Status extends ClientCommand {
        @Option(names = "--json", description = "Machine-readable output.")
        boolean json;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            ClusterStatus s = fs.clusterStatus();
            out.print(json ? StatusFormat.json(s) : StatusFormat.text(s));
            return 0;
        }
    }

    @Command(name = "volume", mixinStandardHelpOptions = true, description = "Create and list volumes.",
            subcommands = {VolumeCreate.class, VolumeLs.class, NodeCommands.Retention.class})
    public static final class VolumeCmd implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume.")
    public static final class VolumeCreate extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--replicas", defaultValue = "3", description = "Copies of every block on distinct workers (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--block-size", defaultValue = "64KiB", description = "Fixed block size, 16KiB..4MiB (default: ${DEFAULT-VALUE}).")
        String blockSize;

        @Override
        int run(SkladFileSystem fs) throws Exception {
            long bs = Units.parseSize(blockSize);
            if (bs > Integer.MAX_VALUE) {
                throw new ErrorReporter.UsageException("block size too large: " + blockSize);
            }
            VolumeInfo v = fs.createVolume(name, replicas, (int) bs);
            out.println("created volume " + v.name() + " (" + v.replicas() + " replicas, " + Units.bytes(v.blockSize()) + " blocks)");
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List volumes.")
    public static final class VolumeLs extends ClientCommand {
        @Override
        int run(SkladFileSystem fs) throws Exception {
            out.printf(Locale.ROOT, "%-20s %8s %10s %8s  %s%n", "NAME", "REPLICAS", "BLOCK", "QUORUM", "CREATED");
            for (VolumeInfo v : fs.listVolumes()) {
                out.printf(Locale.ROOT, "%-20s %8d %10s %8d  %s%n", v.name(), v.replicas(), Units.bytes(v.blockSize()),
                        v.requiredAcks(), TIME.format(Instant.ofEpochMilli(v.createdAtMillis())));
            }
            return 0;
        }
    }

    static void checkHostPort(String s) {
        HostPort.parse(s);
    }
}
