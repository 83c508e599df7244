package io.sklad.metadata.auth;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.store.UserCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Logins, bearer tokens (only their SHA-256 is stored) and the first admin. */
public final class Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    /** Same answer for unknown user, wrong password and disabled user: no user enumeration. */
    private static final String BAD_LOGIN = "wrong user name or password";
    public static final String ADMIN = "admin";

    private final MetadataStore store;
    private final PasswordHasher hasher;
    private final ChunkTokens chunkTokens;
    private final SecureRandom random;
    private final Clock clock;
    private final Duration tokenTtl;

    public Authenticator(MetadataStore store, PasswordHasher hasher, ChunkTokens chunkTokens, SecureRandom random,
                         Clock clock, Duration tokenTtl) {
        this.store = store;
        this.hasher = hasher;
        this.chunkTokens = chunkTokens;
        this.random = random;
        this.clock = clock;
        this.tokenTtl = tokenTtl;
    }

    /** A successful login. */
    public record Session(String token, long expiresAtMillis, boolean admin, String chunkToken) {
    }

    /** Checks the password and issues a token; ttl zero or negative means the configured default. */
    public Session login(String user, String password, Duration ttl) {
        Optional<UserCredentials> found = user == null || user.isEmpty() ? Optional.empty() : store.findUser(user);
        String pw = password == null ? "" : password;
        if (found.isEmpty()) {
            hasher.burn(pw);
            throw new MetadataException(MetaError.UNAUTHENTICATED, BAD_LOGIN);
        }
        UserCredentials u = found.get();
        if (!hasher.matches(u, pw) || u.disabled()) {
            LOG.info("failed login for user {}", user);
            throw new MetadataException(MetaError.UNAUTHENTICATED, BAD_LOGIN);
        }
        LOG.info("user {} logged in", u.name());
        return issue(u, ttl);
    }

    /**
     * Key login for a trusted agent (one holding the join token) that has already verified the client's
     * signature: a session when {@code publicKeyLine} is registered for the enabled {@code user}, otherwise
     * UNAUTHENTICATED with the same message as a wrong password.
     */
    public Session loginWithKey(String user, String publicKeyLine, Duration ttl) {
        Optional<UserCredentials> found = UserNames.isValid(user) ? store.findUser(user) : Optional.empty();
        OpenSshKeys.Parsed key;
        try {
            key = OpenSshKeys.parse(publicKeyLine);
        } catch (MetadataException e) {
            LOG.info("failed key login for user {}: {}", found.map(UserCredentials::name).orElse("(unknown)"),
                    e.getMessage());
            throw new MetadataException(MetaError.UNAUTHENTICATED, BAD_LOGIN);
        }
        boolean registered = found.isPresent() && store.findKey(user, key.fingerprint())
                .filter(k -> k.publicKey().equals(key.publicKey())).isPresent();
        if (!registered || found.get().disabled()) {
            LOG.info("failed key login for user {} with key {}", found.map(UserCredentials::name).orElse("(unknown)"),
                    key.fingerprint());
            throw new MetadataException(MetaError.UNAUTHENTICATED, BAD_LOGIN);
        }
        LOG.info("user {} logged in with key {}", user, key.fingerprint());
        return issue(found.get(), ttl);
    }

    /**
     * Issues a session for an existing, enabled user without a password: only for the process that
     * embeds the master (e.g. {@code sklad up} writing its client profile), never reachable over the wire.
     */
    public Session issueTrusted(String user, Duration ttl) {
        UserCredentials u = store.findUser(user).filter(c -> !c.disabled())
                .orElseThrow(() -> new MetadataException(MetaError.UNAUTHENTICATED, "no such enabled user: " + user));
        return issue(u, ttl);
    }

    private Session issue(UserCredentials u, Duration ttl) {
        Duration effective = ttl == null || ttl.isZero() || ttl.isNegative() || ttl.compareTo(tokenTtl) > 0
                ? tokenTtl : ttl;
        byte[] bits = new byte[32];
        random.nextBytes(bits);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        long expires = clock.millis() + effective.toMillis();
        store.saveToken(hashToken(token), u.name(), expires);
        return new Session(token, expires, u.admin(), chunkTokens.mint(u.name(), expires));
    }

    /** The principal of a valid bearer token; UNAUTHENTICATED otherwise. */
    public Principal authenticate(String token) {
        if (token == null || token.isEmpty()) {
            throw new MetadataException(MetaError.UNAUTHENTICATED, "no token: log in first");
        }
        return store.authenticate(hashToken(token), clock.millis())
                .orElseThrow(() -> new MetadataException(MetaError.UNAUTHENTICATED,
                        "token unknown, expired or revoked: log in again"));
    }

    public void logout(String token) {
        store.revokeToken(hashToken(token));
    }

    /** Creates the admin user unless it exists; the password is generated when null. */
    public AdminResult ensureAdmin(String passwordOrNull) {
        if (store.findUser(ADMIN).isPresent()) {
            return new AdminResult(false, null);
        }
        String password = passwordOrNull;
        if (password == null) {
            byte[] bits = new byte[15];
            random.nextBytes(bits);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        }
        try {
            store.createUser(hasher.hash(ADMIN, password, true));
        } catch (MetadataException e) {
            if (e.code() == MetaError.ALREADY_EXISTS) {
                return new AdminResult(false, null);
            }
            throw e;
        }
        LOG.info("created user {}", ADMIN);
        return new AdminResult(true, password);
    }

    /** Whether an admin was created, and its password if so. */
    public record AdminResult(boolean created, String password) {
    }

    /** The id an administrator sees for {@code token} ({@code sklad user token ls}): a prefix of its hash. */
    public static String tokenId(String token) {
        return hashToken(token).substring(0, io.sklad.metadata.store.TokenInfo.ID_LENGTH);
    }

    static String hashToken(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
