package io.sklad.metadata.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The cluster join token: 256 random bits, base64url, created once in {@code dataDir/join.token} (0600). */
public final class JoinTokenFile {
    private JoinTokenFile() {
    }

    public static String loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve("join.token");
        try {
            if (!Files.exists(file)) {
                byte[] bits = new byte[32];
                random.nextBytes(bits);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
                try {
                    create(file);
                    Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                    return token;
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use theirs
                }
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IOException("empty join token file " + file);
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void create(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }
}
