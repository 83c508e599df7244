package io.sklad.tests.sftp;

import io.sklad.tests.harness.RandomFiles;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the cluster stores, as one comparable map read through a separate agent: every volume, directory,
 * symbolic link (with its target) and file (with size, every committed version id, and for small files the
 * SHA-256 of the content). Equal snapshots before and after an operation mean it changed nothing stored.
 */
final class StoredTree {

    private static final long HASH_LIMIT = 1 << 20;

    private StoredTree() {
    }

    static Map<String, String> of(SkladFileSystem fs) throws IOException {
        Map<String, String> out = new TreeMap<>();
        walk(fs, fs.getPath("/"), out);
        return out;
    }

    private static void walk(SkladFileSystem fs, Path dir, Map<String, String> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    out.put(p.toString(), "link -> " + Files.readSymbolicLink(p));
                } else if (a.isDirectory()) {
                    out.put(p.toString(), "dir");
                    walk(fs, p, out);
                } else {
                    String versions = fs.listVersions(p).stream().map(v -> Long.toString(v.version()))
                            .collect(Collectors.joining(","));
                    String content = a.size() <= HASH_LIMIT ? " sha256=" + sha256(p) : "";
                    out.put(p.toString(), "file size=" + a.size() + " versions=" + versions + content);
                }
            }
        }
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return RandomFiles.sha256(in);
        }
    }
}
