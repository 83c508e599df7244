package io.sklad.tests.fuse;

import io.sklad.tests.harness.RandomFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Directory trees like a backup job's: many small files, a few larger ones, links, modes, owners, old mtimes. */
final class FileTrees {

    private static final String[] MODES = {"rw-r--r--", "rw-------", "rwxr-xr-x", "r--r-----"};
    private static final long BASE_TIME = 1_500_000_000L; // 2017-07-14

    private FileTrees() {
    }

    /** Creates {@code files} regular files (plus a symlink every 50 files) under root in nested directories. */
    static void create(Path root, int files, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve("dir" + (i % 25)).resolve("sub" + (i % 4)).resolve(i % 3 == 0 ? "deep/er" : ".");
            dir = dir.normalize();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            long size = switch (i % 40) {
                case 0 -> 0;
                case 1 -> 64 * 1024; // exactly one block
                case 2 -> 64 * 1024 + 1;
                case 3 -> 100_000 + rnd.nextInt(200_000);
                default -> rnd.nextInt(6_000);
            };
            Path file = RandomFiles.create(dir.resolve("file-" + i + (i % 7 == 0 ? ".tar.gz" : ".dat")), size, seed * 31 + i);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(MODES[i % MODES.length]));
            if (i % 11 == 0) {
                Files.setAttribute(file, "unix:uid", 1000 + i % 3);
                Files.setAttribute(file, "unix:gid", 2000 + i % 5);
            }
            Files.setLastModifiedTime(file, FileTime.from(java.time.Instant.ofEpochSecond(BASE_TIME + rnd.nextInt(100_000_000))));
            if (i % 50 == 0) {
                Files.createSymbolicLink(dir.resolve("link-" + i), dir.relativize(file));
            }
        }
        // directory times last: creating their children changed them
        try (var walk = Files.walk(root)) {
            dirs.addAll(walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList());
        }
        for (Path dir : dirs) {
            Files.setLastModifiedTime(dir, FileTime.from(java.time.Instant.ofEpochSecond(BASE_TIME + rnd.nextInt(1_000_000))));
        }
    }

    /**
     * The tree as {@code find} sees it through the kernel, one sorted line per entry: path, type, mode,
     * owner, size (not for directories: their size is the file system's business), mtime in whole seconds,
     * link target.
     */
    static List<String> listing(Path root) throws Exception {
        String out = FuseHost.ok(root, 300,
                "find . -mindepth 1 -printf '%P|%y|%m|%U:%G|%s|%T@|%l\\n' | LC_ALL=C sort");
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            String size = "d".equals(f[1]) ? "-" : f[4];
            String seconds = f[5].contains(".") ? f[5].substring(0, f[5].indexOf('.')) : f[5];
            lines.add(String.join("|", f[0], f[1], f[2], f[3], size, seconds, f[6]));
        }
        return lines;
    }
}
