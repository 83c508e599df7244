package io.sklad.metadata.auth;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

/**
 * Public keys in OpenSSH's one-line form ({@code "<type> <base64> [comment]"}, as in {@code authorized_keys}
 * without options). Only the framing is checked here (the blob names the same type as the line); the SFTP
 * endpoint that verifies signatures is the one that needs the key material itself.
 */
public final class OpenSshKeys {
    /** Longest accepted line: a 16 kbit RSA key is about 2.8 KiB of base64. */
    public static final int MAX_LINE = 16 * 1024;
    public static final int MAX_COMMENT = 1024;
    private static final Set<String> TYPES = Set.of("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com", "ssh-ed448");

    private OpenSshKeys() {
    }

    /**
     * A parsed key.
     *
     * @param publicKey   canonical {@code "<type> <base64>"}
     * @param fingerprint {@code SHA256:<base64 without padding>}, as {@code ssh-keygen -l} prints it
     */
    public record Parsed(String type, String publicKey, String fingerprint, String comment) {
    }

    /** Parses one key line; INVALID_ARGUMENT when it is not an OpenSSH public key. */
    public static Parsed parse(String line) {
        if (line == null || line.isBlank()) {
            throw invalid("empty public key");
        }
        if (line.length() > MAX_LINE) {
            throw invalid("public key line longer than " + MAX_LINE + " characters");
        }
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2) {
            throw invalid("expected '<type> <base64> [comment]'");
        }
        String type = parts[0];
        if (!TYPES.contains(type)) {
            throw invalid("unsupported key type '" + (type.length() > 40 ? type.substring(0, 40) : type)
                    + "' (authorized_keys options are not accepted)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw invalid("key data is not base64");
        }
        if (!type.equals(blobType(blob))) {
            throw invalid("key data is not a " + type + " key");
        }
        String comment = parts.length > 2 ? parts[2].strip() : "";
        return new Parsed(type, type + " " + Base64.getEncoder().encodeToString(blob), fingerprint(blob),
                comment.length() > MAX_COMMENT ? comment.substring(0, MAX_COMMENT) : comment);
    }

    /** The type string the blob starts with (SSH wire format: uint32 length + bytes), or null. */
    private static String blobType(byte[] blob) {
        try {
            ByteBuffer b = ByteBuffer.wrap(blob);
            int n = b.getInt();
            if (n <= 0 || n > 64 || n > b.remaining()) {
                return null;
            }
            byte[] name = new byte[n];
            b.get(name);
            return b.hasRemaining() ? new String(name, StandardCharsets.US_ASCII) : null;
        } catch (BufferUnderflowException e) {
            return null;
        }
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static MetadataException invalid(String why) {
        return new MetadataException(MetaError.INVALID_ARGUMENT, why);
    }
}
