package io.sklad.webdav.auth;

import io.sklad.common.auth.LoginThrottle;
import io.sklad.webdav.DavRealm;
import io.sklad.webdav.http.DavSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic against a {@link DavRealm}, with failed attempts slowed down and logged by the shared
 * {@link LoginThrottle}, keyed by client address and by user name. Clients send Basic credentials with every
 * request, so the check runs at once and only a wrong answer waits: a user whose password is right is never
 * queued behind someone else's failures from the same address.
 */
public final class BasicAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(BasicAuthenticator.class);

    private final DavRealm realm;
    private final LoginThrottle throttle;

    public BasicAuthenticator(DavRealm realm, LoginThrottle throttle) {
        this.realm = realm;
        this.throttle = throttle;
    }

    /**
     * @param authorization the {@code Authorization} header, possibly null
     * @param remoteAddress the client's address
     * @return the session, or empty after the throttle's delay when credentials are missing or wrong
     */
    public Optional<DavSession> authenticate(String authorization, String remoteAddress) {
        Credentials c = parse(authorization);
        if (c == null) {
            // No credentials at all is the normal first step of every client: answer at once.
            return Optional.empty();
        }
        Optional<Path> root;
        try {
            root = realm.authenticate(c.user(), c.password());
        } catch (RuntimeException e) {
            log.warn("realm failed for user {}", LoginThrottle.printable(c.user()), e);
            root = Optional.empty();
        }
        if (root.isPresent()) {
            throttle.succeeded(c.user(), remoteAddress);
            return Optional.of(new DavSession(c.user(), root.get().toAbsolutePath().normalize()));
        }
        sleep(throttle.failed(c.user(), remoteAddress, "basic"));
        return Optional.empty();
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Credentials(String user, String password) {
    }

    private static Credentials parse(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
