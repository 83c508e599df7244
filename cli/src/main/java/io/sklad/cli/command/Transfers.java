package io.sklad.cli.command;

import io.sklad.cli.io.ProgressBar;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Streamed copies in and out of Sklad with a progress bar; nothing is held whole in memory. */
final class Transfers {

    /** Large enough to fill several blocks per write, small enough to keep memory flat. */
    private static final int BUFFER = 1 << 20;

    private Transfers() {
    }

    /** {@code target}, or {@code target/name} when target is an existing directory. */
    static Path into(Path target, String name) {
        return Files.isDirectory(target) ? target.resolve(name) : target;
    }

    static void put(Path local, Path remote) throws IOException {
        if (!Files.exists(local)) {
            throw new NoSuchFileException(local.toString());
        }
        if (Files.isDirectory(local)) {
            throw new IOException(local + ": is a directory (copy files one by one, or use the drive)");
        }
        long size = Files.size(local);
        try (InputStream in = Files.newInputStream(local);
             SeekableByteChannel out = Files.newByteChannel(remote, StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             ProgressBar bar = new ProgressBar(System.err, "put " + local.getFileName(), size, ProgressBar.wanted())) {
            copy(in, Channels.newOutputStream(out), bar);
            if (out instanceof FileChannel fc) {
                // the version is committed when force returns: errors surface here, not lost in close
                fc.force(true);
            }
        }
    }

    static void get(SkladFileSystem fs, Path remote, Long version, Path local) throws IOException {
        Path dir = local.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + local.getFileName(), ".part");
        try {
            try (SeekableByteChannel in = version == null ? Files.newByteChannel(remote) : fs.openVersion(remote, version);
                 OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 ProgressBar bar = new ProgressBar(System.err, "get " + remote.getFileName(), in.size(), ProgressBar.wanted())) {
                copy(Channels.newInputStream(in), out, bar);
            }
            Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void copy(InputStream in, OutputStream out, ProgressBar bar) throws IOException {
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
            out.write(buf, 0, n);
            bar.advance(n);
        }
        out.flush();
    }

    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
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
}
