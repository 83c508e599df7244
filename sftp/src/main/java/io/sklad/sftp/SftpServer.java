package io.sklad.sftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sklad.sftp.auth.RealmAuthenticator;
import io.sklad.sftp.fs.SkladFileSystemFactory;
import io.sklad.common.auth.LoginThrottle;

/**
 * SFTP and SCP endpoint over any {@code java.nio.file} tree: each user sees the root the {@link SftpRealm}
 * grants, nothing above it. Password and public-key logins; no shell, no port or agent forwarding.
 *
 * <pre>{@code
 * try (SftpServer server = new SftpServer(config, realm)) {
 *     server.start();
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class SftpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SftpServer.class);

    private final SftpConfig config;
    private final SftpRealm realm;
    private SshServer sshd;
    private ScheduledExecutorService loginDelays;

    public SftpServer(SftpConfig config, SftpRealm realm) {
        this.config = Objects.requireNonNull(config, "config");
        this.realm = Objects.requireNonNull(realm, "realm");
    }

    /** Binds and starts serving; the host key is generated on the first start and reused afterwards. */
    public synchronized void start() throws IOException {
        if (sshd != null) {
            throw new IllegalStateException("already started");
        }
        SimpleGeneratorHostKeyProvider hostKeys = hostKeys(config.hostKeyFile());
        loginDelays = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sftp-login-delay");
            t.setDaemon(true);
            return t;
        });
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(config.listenHost());
        server.setPort(config.listenPort());
        server.setKeyPairProvider(hostKeys);

        RealmAuthenticator authenticator = new RealmAuthenticator(realm,
                LoginThrottle.forSessions("sftp", config.maxFailedLogins()), loginDelays);
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
        server.setPasswordAuthenticator(authenticator);
        server.setPublickeyAuthenticator(authenticator);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);

        server.setFileSystemFactory(new SkladFileSystemFactory());
        // sessions run on threads MINA cannot interrupt, so a session cut off still closes (commits) its files
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder()
                .withExecutorServiceProvider(UninterruptedExecutor::new)
                .withSftpErrorStatusDataHandler(new SftpErrors()).build()));
        // only "scp -t/-f" is accepted as a command: without a delegate every other command is refused
        server.setCommandFactory(new ScpCommandFactory.Builder()
                .withExecutorServiceProvider(UninterruptedExecutor::new).build());
        server.setShellFactory(null);
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setAgentFactory(null);

        CoreModuleProperties.IDLE_TIMEOUT.set(server, config.idleTimeout());
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            loginDelays.shutdownNow();
            throw e;
        }
        sshd = server;
        log.info("SFTP/SCP listening on {}:{}", config.listenHost(), port());
    }

    /** The bound TCP port (the ephemeral one when configured with 0). */
    public synchronized int port() {
        if (sshd == null) {
            throw new IllegalStateException("not started");
        }
        for (SocketAddress bound : sshd.getBoundAddresses()) {
            if (bound instanceof InetSocketAddress inet) {
                return inet.getPort();
            }
        }
        return sshd.getPort();
    }

    /** Stops listening and closes every session; the served file systems stay open. */
    @Override
    public synchronized void close() throws IOException {
        try {
            if (sshd != null) {
                sshd.stop(true);
            }
        } finally {
            sshd = null;
            if (loginDelays != null) {
                loginDelays.shutdownNow();
                loginDelays = null;
            }
        }
    }

    private static SimpleGeneratorHostKeyProvider hostKeys(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(file);
        keys.setAlgorithm("EC");
        keys.setKeySize(256);
        boolean generated = !Files.exists(file);
        try {
            keys.loadKeys(null); // generate now: a missing or unreadable key should fail start(), not a login
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (generated && Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return keys;
    }

    private static void closeQuietly(SshServer server) {
        try {
            server.stop(true);
        } catch (IOException | RuntimeException e) {
            log.debug("stopping a server that failed to start", e);
        }
    }
}
