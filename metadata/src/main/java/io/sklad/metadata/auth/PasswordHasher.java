package io.sklad.metadata.auth;

import io.sklad.metadata.store.UserCredentials;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** PBKDF2-HMAC-SHA256 password hashes with a random salt per user. */
public final class PasswordHasher {
    /** OWASP's floor for PBKDF2-SHA256 is higher, but 2 shared cores make logins crawl above this. */
    public static final int ITERATIONS = 120_000;
    private static final int KEY_BITS = 256;

    private final SecureRandom random;

    public PasswordHasher(SecureRandom random) {
        this.random = random;
    }

    /** Credentials for a new user. */
    public UserCredentials hash(String user, String password, boolean admin) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return new UserCredentials(user, b64.encodeToString(derive(password, salt, ITERATIONS)),
                b64.encodeToString(salt), ITERATIONS, admin, false);
    }

    /** Constant-time check of {@code password} against stored credentials. */
    public boolean matches(UserCredentials u, String password) {
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(u.passwordHash());
        byte[] actual = derive(password, b64.decode(u.salt()), u.iterations());
        return MessageDigest.isEqual(expected, actual);
    }

    /** Spends the same work as a real check, so unknown users cannot be told apart by timing. */
    public void burn(String password) {
        derive(password, new byte[16], ITERATIONS);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 missing from the JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
