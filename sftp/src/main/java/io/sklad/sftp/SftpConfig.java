package io.sklad.sftp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one SFTP/SCP endpoint.
 *
 * @param listenHost      address to bind, e.g. {@code 127.0.0.1}
 * @param listenPort      TCP port, 0 for an ephemeral one
 * @param hostKeyFile     where the host key is kept; generated on first start and reused afterwards
 * @param idleTimeout     sessions silent for this long are closed
 * @param maxFailedLogins failed logins per user and per source address that are answered at full speed;
 *                        every further failure doubles the wait before the next attempt is checked
 */
public record SftpConfig(String listenHost, int listenPort, Path hostKeyFile, Duration idleTimeout,
                         int maxFailedLogins) {

    /** Port of the endpoint when none is configured. */
    public static final int DEFAULT_PORT = 2222;

    public SftpConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(hostKeyFile, "hostKeyFile");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort out of range: " + listenPort);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
        if (maxFailedLogins < 1) {
            throw new IllegalArgumentException("maxFailedLogins must be at least 1: " + maxFailedLogins);
        }
    }

    /** Loopback on {@value #DEFAULT_PORT}, 10 minutes idle timeout, 5 free failed logins. */
    public static SftpConfig defaults(Path hostKeyFile) {
        return new SftpConfig("127.0.0.1", DEFAULT_PORT, hostKeyFile, Duration.ofMinutes(10), 5);
    }
}
