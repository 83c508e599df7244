package io.sklad.cli.agent;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.SkladReasons;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SkladFileSystem} per logged-in user and credential of the agent's network frontends (WebDAV,
 * SFTP), each holding the master token of its login.
 *
 * <p>WebDAV sends Basic credentials with every request and the master's password hash is deliberately slow,
 * so a login is remembered by (user, salted SHA-256 of the password). A remembered login is trusted for
 * {@code recheckAfter} at most; after that, and on every new SFTP connection, its token is checked with the
 * master (one cheap call). The master revokes a user's tokens when the user is disabled or the password
 * changes, so a remembered login then fails that check, the next attempt goes to the master with the password
 * again — and is refused — while the file system of the dead token fails every call at once (open sessions
 * stop too). A token that merely expired is replaced the same way by a fresh login. A wrong password is never
 * remembered and always goes to the master.
 */
public final class AgentSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSessions.class);
    /** How long a remembered login answers without asking the master. */
    public static final Duration DEFAULT_RECHECK_AFTER = Duration.ofSeconds(5);
    private static final int STRIPES = 64;

    private final String masterAddress;
    private final String joinToken;
    private final Path workDir;
    private final long cacheBytes;
    private final long recheckAfterNanos;
    private final LongSupplier nanoTime;
    private final byte[] salt = new byte[16];
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Logins of one credential run one at a time, so a burst of requests makes one master login, not many. */
    private final Object[] stripes = new Object[STRIPES];

    /** A remembered login: its file system and when its token was last known good. */
    private static final class Session {
        final String user;
        final boolean byKey;
        final SkladFileSystem fs;
        volatile long verifiedAtNanos;

        Session(String user, boolean byKey, SkladFileSystem fs, long verifiedAtNanos) {
            this.user = user;
            this.byKey = byKey;
            this.fs = fs;
            this.verifiedAtNanos = verifiedAtNanos;
        }
    }

    /** What the master said about a remembered login's token. */
    private enum Check { GOOD, DEAD, UNKNOWN }

    /**
     * @param joinToken the cluster join token, which lets this agent vouch for SSH key logins it verified;
     *                  null disables key logins
     */
    public AgentSessions(String masterAddress, String joinToken, Path workDir, long cacheBytes) {
        this(masterAddress, joinToken, workDir, cacheBytes, DEFAULT_RECHECK_AFTER, System::nanoTime);
    }

    AgentSessions(String masterAddress, String joinToken, Path workDir, long cacheBytes, Duration recheckAfter,
                  LongSupplier nanoTime) {
        this.masterAddress = masterAddress;
        this.joinToken = joinToken;
        this.workDir = workDir;
        this.cacheBytes = cacheBytes;
        this.recheckAfterNanos = recheckAfter.toNanos();
        this.nanoTime = nanoTime;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        new SecureRandom().nextBytes(salt);
    }

    /**
     * For a request-based frontend (WebDAV): the user's file system when the password is right; empty when the
     * master refuses it. A login verified less than {@code recheckAfter} ago answers from memory.
     */
    public Optional<SkladFileSystem> login(String user, String password) {
        return passwordLogin(user, password, false);
    }

    /**
     * For a new connection (an SFTP session): as {@link #login}, but a remembered login's token is always
     * checked with the master first, so a disabled user or an old password never opens a session.
     */
    public Optional<SkladFileSystem> loginNewSession(String user, String password) {
        return passwordLogin(user, password, true);
    }

    private Optional<SkladFileSystem> passwordLogin(String user, String password, boolean verify) {
        if (user == null || user.isEmpty() || password == null) {
            return Optional.empty();
        }
        String key = user + "\0pw\0" + hash(password);
        synchronized (stripe(key)) {
            Optional<SkladFileSystem> known = remembered(key, verify);
            if (known.isPresent()) {
                return known;
            }
            try {
                SkladFileSystem fs = SkladFileSystem.open(new AgentConfig(masterAddress, user, password, null,
                        userDir(user), 0, cacheBytes, null));
                remember(key, new Session(user, false, fs, nanoTime.getAsLong()));
                forgetOtherPasswords(user, key);
                return Optional.of(fs);
            } catch (AccessDeniedException e) {
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                LOG.warn("login of user {} failed: {}", user, e.toString());
                return Optional.empty();
            }
        }
    }

    /**
     * The user's file system when {@code publicKeyLine} (OpenSSH form) is registered for the user. Only call
     * after the SSH layer has verified the client's signature with that key: the master trusts this agent.
     * Asks the master every time (a removed key or a disabled user is refused at once); a remembered file
     * system of the same key whose token still works is reused.
     */
    public Optional<SkladFileSystem> loginWithKey(String user, String publicKeyLine) {
        if (joinToken == null || user == null || user.isEmpty() || publicKeyLine == null) {
            return Optional.empty();
        }
        String key = user + "\0key\0" + hash(publicKeyLine);
        synchronized (stripe(key)) {
            try (GrpcMetadataClient meta = new GrpcMetadataClient(masterAddress, Duration.ofSeconds(30))) {
                LoginResult login = meta.loginWithKey(joinToken, user, publicKeyLine);
                Optional<SkladFileSystem> known = remembered(key, true);
                if (known.isPresent()) {
                    // the remembered session goes on; the token just issued is not needed
                    logoutQuietly(meta, user);
                    return known;
                }
                SkladFileSystem fs = SkladFileSystem.open(new AgentConfig(masterAddress, user, null, login.token(),
                        userDir(user), 0, cacheBytes, null));
                remember(key, new Session(user, true, fs, nanoTime.getAsLong()));
                return Optional.of(fs);
            } catch (AccessDeniedException e) {
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                LOG.info("key login of user {} refused: {}", user, e.toString());
                return Optional.empty();
            }
        }
    }

    /** Number of remembered logins; for tests. */
    int size() {
        return sessions.size();
    }

    /** The remembered file system of {@code key} if its token is (or, within the window, was lately) good. */
    private Optional<SkladFileSystem> remembered(String key, boolean verify) {
        Session s = sessions.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (!s.fs.isOpen()) {
            forget(key, s);
            return Optional.empty();
        }
        long now = nanoTime.getAsLong();
        if (!verify && now - s.verifiedAtNanos < recheckAfterNanos) {
            return Optional.of(s.fs);
        }
        switch (check(s)) {
            case GOOD -> {
                s.verifiedAtNanos = now;
                return Optional.of(s.fs);
            }
            case DEAD -> {
                LOG.info("the token of a remembered login of user {} is no longer valid: logging in again", s.user);
                forget(key, s);
                return Optional.empty();
            }
            default -> {
                // the master cannot be asked: the file system will fail on its own if the token is dead
                return Optional.of(s.fs);
            }
        }
    }

    private static Check check(Session s) {
        try {
            s.fs.listVolumes();
            return Check.GOOD;
        } catch (AccessDeniedException e) {
            String reason = e.getReason();
            return reason != null && reason.startsWith(SkladReasons.UNAUTHENTICATED) ? Check.DEAD : Check.GOOD;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not check the login of user {} with the master: {}", s.user, e.toString());
            return Check.UNKNOWN;
        }
    }

    private void remember(String key, Session s) {
        Session old = sessions.put(key, s);
        if (old != null && old.fs != s.fs) {
            closeQuietly(old.fs);
        }
    }

    /** A new password worked: file systems opened with any other password of the user are stale. */
    private void forgetOtherPasswords(String user, String keep) {
        sessions.forEach((key, s) -> {
            if (!key.equals(keep) && !s.byKey && s.user.equals(user)) {
                forget(key, s);
            }
        });
    }

    private void forget(String key, Session s) {
        if (sessions.remove(key, s)) {
            closeQuietly(s.fs);
        }
    }

    private static void logoutQuietly(GrpcMetadataClient meta, String user) {
        try {
            meta.logout();
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not give back a spare token of user {}: {}", user, e.toString());
        }
    }

    private Object stripe(String key) {
        return stripes[Math.floorMod(key.hashCode(), STRIPES)];
    }

    private Path userDir(String user) {
        return workDir.resolve("users").resolve(safe(user));
    }

    private static String safe(String user) {
        return user.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private String hash(String secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            return HexFormat.of().formatHex(md.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(SkladFileSystem fs) {
        try {
            fs.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing a session: {}", e.toString());
        }
    }

    @Override
    public void close() {
        for (Session s : sessions.values()) {
            closeQuietly(s.fs);
        }
        sessions.clear();
    }
}
