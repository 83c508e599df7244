package io.sklad.tests.sftp;

import io.sklad.cli.config.ClientProfile;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A second agent that looks at and plants what the cluster stores, without the SFTP endpoint under test.
 * It runs in its own JVM on the jar under test ({@code java -cp sklad.jar:test-classes}), so it always
 * speaks the cluster's current wire contract whatever the test JVM's class path holds.
 *
 * <p>Arguments: {@code DATA_DIR COMMAND...}, each command one argument with space-separated words; every
 * command prints its answer as lines starting with {@value #OUT}. DATA_DIR is the {@code sklad-data} of
 * {@code sklad up}: the master comes from its profile, the admin password from
 * SKLAD_ADMIN_PASSWORD. Users, grants, keys and volumes are made with the {@code sklad} command itself.
 */
public final class Inspector {

    static final String OUT = "@@ ";

    private Inspector() {
    }

    public static void main(String[] args) {
        int exit = 0;
        try {
            inspect(args);
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        }
        System.out.flush();
        System.err.flush();
        // gRPC and cache threads must not keep this JVM alive
        Runtime.getRuntime().halt(exit);
    }

    private static void inspect(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        ClientProfile profile = ClientProfile.load(data.resolve(ClientProfile.FILE_NAME));
        Path work = Files.createTempDirectory("sklad-inspector");
        try (SkladFileSystem fs = SkladFileSystem.open(new AgentConfig(profile.master(), "admin",
                System.getenv("SKLAD_ADMIN_PASSWORD"), null, work, 0, 0, null))) {
            for (String command : Arrays.asList(args).subList(1, args.length)) {
                run(fs, command.split(" "));
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(SkladFileSystem fs, String[] w) throws IOException {
        switch (w[0]) {
            case "tree" -> {
                for (Map.Entry<String, String> e : StoredTree.of(fs).entrySet()) {
                    out(e.getKey() + "\t" + e.getValue());
                }
            }
            case "size" -> out(Files.exists(fs.getPath(w[1]), LinkOption.NOFOLLOW_LINKS)
                    ? Long.toString(Files.size(fs.getPath(w[1]))) : "-1");
            case "sha256" -> out(StoredTree.sha256(fs.getPath(w[1])));
            case "versions" -> out(Integer.toString(fs.listVersions(fs.getPath(w[1])).size()));
            case "readlink" -> out(Files.readSymbolicLink(fs.getPath(w[1])).toString());
            case "symlink" -> Files.createSymbolicLink(fs.getPath(w[1]), fs.getPath(w[2]));
            case "mkdir" -> Files.createDirectories(fs.getPath(w[1]));
            case "delete" -> Files.deleteIfExists(fs.getPath(w[1]));
            case "put" -> {
                try (InputStream in = Files.newInputStream(Path.of(w[1]));
                        OutputStream o = Files.newOutputStream(fs.getPath(w[2]))) {
                    in.transferTo(o);
                }
            }
            case "flip-first-byte" -> {
                // changes the stored first byte in place (a new version) and prints what it was
                try (FileChannel ch = FileChannel.open(fs.getPath(w[1]), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    if (ch.read(b, 0) != 1) {
                        throw new NoSuchFileException(w[1], null, "empty");
                    }
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) ~b.get(0)}), 0);
                    out(Integer.toString(b.get(0) & 0xff));
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + List.of(w));
        }
    }

    private static void out(String line) {
        System.out.println(OUT + line);
    }
}
