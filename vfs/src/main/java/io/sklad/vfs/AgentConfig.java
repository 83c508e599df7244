package io.sklad.vfs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an agent needs to reach a cluster: the master, the credentials (a password, or a token from
 * an earlier login), the local work directory for spill files and the block cache, and tuning knobs.
 *
 * @param masterAddress     {@code host:port} of the master's gRPC endpoint
 * @param user              user name
 * @param password          password, or null when {@code token} is given
 * @param token             bearer token from an earlier login, or null when {@code password} is given
 * @param workDir           local directory for {@code spill/} and {@code cache/}
 * @param uploadParallelism concurrent upload batches (0 = default 8)
 * @param cacheBytes        on-disk block cache size (negative = default 1 GiB, 0 = no cache)
 * @param rpcTimeout        deadline of every RPC (null = default 30 s)
 * @param attributeTtl      how long {@code stat} may answer from what the agent saw last (listings fill it);
 *                          another agent's changes show that much later, opens always ask the master
 *                          (null or zero = no attribute cache; a FUSE mount uses its {@code attr_timeout})
 */
public record AgentConfig(String masterAddress, String user, String password, String token, Path workDir,
                          int uploadParallelism, long cacheBytes, Duration rpcTimeout, Duration attributeTtl) {

    public static final int DEFAULT_UPLOAD_PARALLELISM = 8;
    public static final long DEFAULT_CACHE_BYTES = 1L << 30;
    public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(30);

    public AgentConfig {
        Objects.requireNonNull(masterAddress, "masterAddress");
        Objects.requireNonNull(workDir, "workDir");
        if (password == null && token == null) {
            throw new IllegalArgumentException("either a password or a token is needed");
        }
        if (uploadParallelism <= 0) {
            uploadParallelism = DEFAULT_UPLOAD_PARALLELISM;
        }
        if (cacheBytes < 0) {
            cacheBytes = DEFAULT_CACHE_BYTES;
        }
        if (rpcTimeout == null || rpcTimeout.isZero() || rpcTimeout.isNegative()) {
            rpcTimeout = DEFAULT_RPC_TIMEOUT;
        }
        if (attributeTtl == null || attributeTtl.isNegative()) {
            attributeTtl = Duration.ZERO;
        }
    }

    /** Without an attribute cache: every {@code stat} asks the master. */
    public AgentConfig(String masterAddress, String user, String password, String token, Path workDir,
                       int uploadParallelism, long cacheBytes, Duration rpcTimeout) {
        this(masterAddress, user, password, token, workDir, uploadParallelism, cacheBytes, rpcTimeout, Duration.ZERO);
    }

    /** A config with password login and every knob at its default. */
    public static AgentConfig withPassword(String masterAddress, String user, String password, Path workDir) {
        return new AgentConfig(masterAddress, user, password, null, workDir, 0, -1, null);
    }

    /** The same config with another block cache size. */
    public AgentConfig withCacheBytes(long bytes) {
        return new AgentConfig(masterAddress, user, password, token, workDir, uploadParallelism, bytes, rpcTimeout,
                attributeTtl);
    }

    /** The same config with an attribute cache of this lifetime. */
    public AgentConfig withAttributeTtl(Duration ttl) {
        return new AgentConfig(masterAddress, user, password, token, workDir, uploadParallelism, cacheBytes, rpcTimeout,
                ttl);
    }

    @Override
    public String toString() {
        // never print credentials
        return "AgentConfig[masterAddress=" + masterAddress + ", user=" + user + ", workDir=" + workDir
                + ", uploadParallelism=" + uploadParallelism + ", cacheBytes=" + cacheBytes
                + ", rpcTimeout=" + rpcTimeout + ", attributeTtl=" + attributeTtl + "]";
    }
}
