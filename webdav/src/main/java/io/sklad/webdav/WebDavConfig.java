package io.sklad.webdav;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link WebDavServer}.
 *
 * @param listenHost                   address to bind, e.g. {@code 127.0.0.1}
 * @param listenPort                   TCP port, 0 for an ephemeral one
 * @param basePath                     URL path the tree is served under, e.g. {@code /dav}
 * @param keyStorePath                 PKCS#12 key store for HTTPS; null serves plain HTTP. When the file
 *                                     does not exist yet, a self-signed certificate is generated into it
 * @param keyStorePassword             password of the key store (required with {@code keyStorePath})
 * @param allowPlainHttpOnNonLoopback  plain HTTP sends Basic credentials in clear text, so it is refused
 *                                     on a non-loopback address unless this is set
 * @param maxLockTimeout               longest lock a client may take (also the default)
 */
public record WebDavConfig(String listenHost, int listenPort, String basePath, Path keyStorePath,
                           String keyStorePassword, boolean allowPlainHttpOnNonLoopback,
                           Duration maxLockTimeout) {

    public WebDavConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort out of range: " + listenPort);
        }
        basePath = normaliseBasePath(basePath);
        if (keyStorePath != null && (keyStorePassword == null || keyStorePassword.isEmpty())) {
            throw new IllegalArgumentException("keyStorePassword is required with keyStorePath");
        }
        maxLockTimeout = maxLockTimeout == null ? Duration.ofHours(1) : maxLockTimeout;
    }

    /** Plain HTTP on 127.0.0.1 under {@code /dav}, the shape of the embedded default and of tests. */
    public static WebDavConfig loopback(int port) {
        return new WebDavConfig("127.0.0.1", port, "/dav", null, null, false, null);
    }

    /** The same settings served over HTTPS from the given key store. */
    public WebDavConfig withTls(Path keyStore, String password) {
        return new WebDavConfig(listenHost, listenPort, basePath, keyStore, password,
                allowPlainHttpOnNonLoopback, maxLockTimeout);
    }

    public boolean tls() {
        return keyStorePath != null;
    }

    private static String normaliseBasePath(String p) {
        if (p == null || p.isBlank() || p.equals("/")) {
            return "";
        }
        String s = p.startsWith("/") ? p : "/" + p;
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
