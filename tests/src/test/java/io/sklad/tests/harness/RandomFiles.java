package io.sklad.tests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Random test files written and hashed in a streaming way (never whole in heap). */
public final class RandomFiles {

    private RandomFiles() {
    }

    public static Path create(Path file, long size, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = rnd.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        buf[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return file;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    public static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
