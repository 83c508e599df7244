package io.sklad.metadata;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the master needs, built once by the composition root.
 *
 * @param dataDir       holds {@code join.token} and (with the default JDBC URL) the H2 database in {@code meta/}
 * @param listenPort    0 picks an ephemeral port; see {@link MasterServer#port()}
 * @param jdbcUrl       null = H2 file database in {@code dataDir/meta}
 * @param suspectAfter  heartbeat silence after which a node is SUSPECT (no new writes)
 * @param deadAfter     heartbeat silence after which a node is DEAD (its replicas count as lost)
 * @param writeQuorum   acknowledged copies a commit needs per block, capped by the volume's replicas
 * @param tokenTtl      lifetime of login tokens (and the longest a client may ask for)
 * @param healing       repair and garbage-collection settings
 */
public record MasterConfig(Path dataDir, String listenHost, int listenPort, String jdbcUrl,
                           Duration suspectAfter, Duration deadAfter, int writeQuorum, Duration tokenTtl,
                           HealingConfig healing) {
    public static final int DEFAULT_PORT = 7700;

    public MasterConfig {
        if (healing == null) {
            healing = HealingConfig.defaults();
        }
    }

    /** The settings without healing ones: {@link HealingConfig#defaults()}. */
    public MasterConfig(Path dataDir, String listenHost, int listenPort, String jdbcUrl, Duration suspectAfter,
                        Duration deadAfter, int writeQuorum, Duration tokenTtl) {
        this(dataDir, listenHost, listenPort, jdbcUrl, suspectAfter, deadAfter, writeQuorum, tokenTtl, null);
    }

    /** 127.0.0.1:7700, H2 in {@code dataDir}, 30 s / 10 min node timeouts, write quorum 2, 30-day tokens. */
    public static MasterConfig defaults(Path dataDir) {
        return new MasterConfig(dataDir, "127.0.0.1", DEFAULT_PORT, null, Duration.ofSeconds(30),
                Duration.ofMinutes(10), 2, Duration.ofDays(30));
    }

    public MasterConfig withListenPort(int port) {
        return new MasterConfig(dataDir, listenHost, port, jdbcUrl, suspectAfter, deadAfter, writeQuorum, tokenTtl, healing);
    }

    public MasterConfig withNodeTimeouts(Duration suspect, Duration dead) {
        return new MasterConfig(dataDir, listenHost, listenPort, jdbcUrl, suspect, dead, writeQuorum, tokenTtl, healing);
    }

    public MasterConfig withWriteQuorum(int quorum) {
        return new MasterConfig(dataDir, listenHost, listenPort, jdbcUrl, suspectAfter, deadAfter, quorum, tokenTtl, healing);
    }

    public MasterConfig withTokenTtl(Duration ttl) {
        return new MasterConfig(dataDir, listenHost, listenPort, jdbcUrl, suspectAfter, deadAfter, writeQuorum, ttl, healing);
    }

    public MasterConfig withHealing(HealingConfig h) {
        return new MasterConfig(dataDir, listenHost, listenPort, jdbcUrl, suspectAfter, deadAfter, writeQuorum, tokenTtl, h);
    }

    /** The JDBC URL to use: the configured one or the embedded H2 file. */
    public String effectiveJdbcUrl() {
        if (jdbcUrl != null) {
            return jdbcUrl;
        }
        // LOCK_TIMEOUT: mutations queue behind one another (one counter row); a big commit must make the
        // next mutation wait, not fail after H2's default of a second or so.
        // WRITE_DELAY=0: a commit is written out before the call returns, not up to 500 ms later;
        // a mutation runs ~12 distinct statements, more than the default 8-entry parse cache
        return "jdbc:h2:file:" + dataDir.resolve("meta").resolve("sklad").toAbsolutePath() + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=64;LOCK_TIMEOUT=120000";
    }
}
