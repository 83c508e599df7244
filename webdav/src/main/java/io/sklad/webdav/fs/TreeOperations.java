package io.sklad.webdav.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/** Recursive delete and copy over plain NIO, as COPY, MOVE and DELETE need them. */
public final class TreeOperations {

    private final DeadProperties deadProperties;

    public TreeOperations(DeadProperties deadProperties) {
        this.deadProperties = deadProperties;
    }

    /** Deletes a file or a whole tree, children first. */
    public void deleteTree(Path p) throws IOException {
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Copies {@code src} to the absent {@code dst}, with modification times and dead properties;
     * a directory with its whole tree when {@code deep}, else only the (empty) directory itself.
     */
    public void copyTree(Path src, Path dst, boolean deep) throws IOException {
        if (!Files.isDirectory(src)) {
            copyOne(src, dst);
            return;
        }
        if (!deep) {
            copyOne(src, dst);
            return;
        }
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                copyOne(dir, dst.resolve(relative(src, dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                copyOne(file, dst.resolve(relative(src, file)));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Moves (renames) {@code src} onto the absent {@code dst}; dead properties travel with it. A rename keeps
     * them by itself; a move between file stores (Sklad volumes) is a copy and a delete, so they are copied.
     */
    public void move(Path src, Path dst) throws IOException {
        java.util.Map<javax.xml.namespace.QName, String> props = deadProperties.readAll(src);
        Files.move(src, dst);
        if (!props.isEmpty() && deadProperties.readAll(dst).isEmpty()) {
            for (var e : props.entrySet()) {
                deadProperties.write(dst, e.getKey(), e.getValue());
            }
        }
    }

    private void copyOne(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            Files.createDirectory(to);
        } else {
            // Streams through the providers (works across file systems); never reads whole files.
            Files.copy(from, to);
        }
        FileTime mtime = Files.getLastModifiedTime(from);
        Files.setLastModifiedTime(to, mtime);
        deadProperties.copy(from, to);
    }

    private static String relative(Path base, Path p) {
        // Relativize as strings so the two paths may belong to different file systems.
        return base.relativize(p).toString();
    }
}
