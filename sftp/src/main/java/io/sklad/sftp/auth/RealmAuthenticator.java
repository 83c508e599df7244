package io.sklad.sftp.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sklad.sftp.SftpRealm;
import io.sklad.sftp.SftpSession;
import io.sklad.sftp.fs.SkladFileSystemFactory;
import io.sklad.common.auth.LoginThrottle;

/**
 * Checks logins against the {@link SftpRealm}, rate-limited by the shared {@link LoginThrottle} (which also
 * logs every failure with user and address, never the password), and attaches the granted
 * {@link SftpSession} to the SSH session. Every attempt is held before it is checked: one SSH connection
 * makes one login, and queueing the checks is what stops parallel guessing.
 *
 * <p>A throttled password attempt is answered later through MINA's {@link AsyncAuthException}, so no I/O
 * thread sleeps. A throttled key attempt is refused at once: MINA cannot answer the key probe (which has
 * no signature yet) asynchronously without treating the answer as a finished login.
 */
public final class RealmAuthenticator implements PasswordAuthenticator, PublickeyAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(RealmAuthenticator.class);

    private final SftpRealm realm;
    private final LoginThrottle throttle;
    private final ScheduledExecutorService delays;

    public RealmAuthenticator(SftpRealm realm, LoginThrottle throttle, ScheduledExecutorService delays) {
        this.realm = realm;
        this.throttle = throttle;
        this.delays = delays;
    }

    @Override
    public boolean authenticate(String user, String password, ServerSession session) {
        String address = address(session);
        Optional<Duration> wait = throttle.admit(user, address);
        if (wait.isEmpty()) {
            log.warn("login refused, too many failures: user={} address={} method=password", printable(user), address);
            return false;
        }
        if (wait.get().isZero()) {
            return check(user, address, "password", session, () -> realm.authenticatePassword(user, password));
        }
        log.info("login delayed {} ms after failures: user={} address={}", wait.get().toMillis(), printable(user),
                address);
        AsyncAuthException pending = new AsyncAuthException();
        delays.schedule(() -> pending.setAuthed(
                check(user, address, "password", session, () -> realm.authenticatePassword(user, password))),
                wait.get().toMillis(), TimeUnit.MILLISECONDS);
        throw pending;
    }

    @Override
    public boolean authenticate(String user, PublicKey key, ServerSession session) {
        String address = address(session);
        Optional<Duration> wait = throttle.admit(user, address);
        if (wait.isEmpty() || !wait.get().isZero()) {
            log.warn("login refused while throttled: user={} address={} method=publickey", printable(user), address);
            return false;
        }
        return check(user, address, "publickey", session, () -> realm.authenticateKey(user, key));
    }

    private boolean check(String user, String address, String method, ServerSession session,
            Supplier<Optional<SftpSession>> realmCall) {
        Optional<SftpSession> grant;
        try {
            grant = realmCall.get();
        } catch (RuntimeException e) {
            log.error("realm failed: user={} address={} method={}", printable(user), address, method, e);
            grant = Optional.empty();
        }
        if (grant.isEmpty()) {
            throttle.failed(user, address, method);
            return false;
        }
        throttle.succeeded(user, address);
        session.setAttribute(SkladFileSystemFactory.GRANT, grant.get());
        log.debug("accepted: user={} address={} method={}", printable(user), address, method);
        return true;
    }

    private static String address(ServerSession session) {
        SocketAddress remote = session.getClientAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    private static String printable(String user) {
        return LoginThrottle.printable(user);
    }
}
