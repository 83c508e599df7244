package io.sklad.cli.agent;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SkladFileSystem} per logged-in user of the agent's network frontends (WebDAV, SFTP).
 * WebDAV sends Basic credentials with every request and the master's password hash is deliberately
 * slow, so a successful login is remembered by (user, salted SHA-256 of the password) for the life of
 * the agent; a wrong password is never cached and always goes to the master.
 */
public final class AgentSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSessions.class);

    private final String masterAddress;
    private final String joinToken;
    private final Path workDir;
    private final long cacheBytes;
    private final byte[] salt = new byte[16];
    private final Map<String, SkladFileSystem> sessions = new ConcurrentHashMap<>();

    /**
     * @param joinToken the cluster join token, which lets this agent vouch for SSH key logins it verified;
     *                  null disables key logins
     */
    public AgentSessions(String masterAddress, String joinToken, Path workDir, long cacheBytes) {
        this.masterAddress = masterAddress;
        this.joinToken = joinToken;
        this.workDir = workDir;
        this.cacheBytes = cacheBytes;
        new SecureRandom().nextBytes(salt);
    }

    /** The user's file system when the password is right; empty when the master refuses it. */
    public Optional<SkladFileSystem> login(String user, String password) {
        if (user == null || user.isEmpty() || password == null) {
            return Optional.empty();
        }
        String key = user + "\0" + hash(password);
        SkladFileSystem known = sessions.get(key);
        if (known != null && known.isOpen()) {
            return Optional.of(known);
        }
        try {
            SkladFileSystem fs = SkladFileSystem.open(new AgentConfig(masterAddress, user, password, null,
                    workDir.resolve("users").resolve(safe(user)), 0, cacheBytes, null));
            SkladFileSystem raced = sessions.putIfAbsent(key, fs);
            if (raced != null) {
                fs.close();
                return Optional.of(raced);
            }
            return Optional.of(fs);
        } catch (AccessDeniedException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("login of user {} failed: {}", user, e.toString());
            return Optional.empty();
        }
    }

    /**
     * The user's file system when {@code publicKeyLine} (OpenSSH form) is registered for the user. Only call
     * after the SSH layer has verified the client's signature with that key: the master trusts this agent.
     */
    public Optional<SkladFileSystem> loginWithKey(String user, String publicKeyLine) {
        if (joinToken == null || user == null || user.isEmpty()) {
            return Optional.empty();
        }
        String key = user + "\0key\0" + hash(publicKeyLine);
        SkladFileSystem known = sessions.get(key);
        if (known != null && known.isOpen()) {
            return Optional.of(known);
        }
        try (io.sklad.vfs.client.GrpcMetadataClient meta =
                     new io.sklad.vfs.client.GrpcMetadataClient(masterAddress, java.time.Duration.ofSeconds(30))) {
            String token = meta.loginWithKey(joinToken, user, publicKeyLine).token();
            SkladFileSystem fs = SkladFileSystem.open(new AgentConfig(masterAddress, user, null, token,
                    workDir.resolve("users").resolve(safe(user)), 0, cacheBytes, null));
            SkladFileSystem raced = sessions.putIfAbsent(key, fs);
            if (raced != null) {
                fs.close();
                return Optional.of(raced);
            }
            return Optional.of(fs);
        } catch (AccessDeniedException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.info("key login of user {} refused: {}", user, e.toString());
            return Optional.empty();
        }
    }

    private static String safe(String user) {
        return user.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private String hash(String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (SkladFileSystem fs : sessions.values()) {
            try {
                fs.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing a session: {}", e.toString());
            }
        }
        sessions.clear();
    }
}
