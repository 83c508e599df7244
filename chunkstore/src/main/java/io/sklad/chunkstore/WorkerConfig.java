package io.sklad.chunkstore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one worker process.
 *
 * @param dataDir           where blocks and {@code node.id} live
 * @param listenHost        interface the ChunkService binds to
 * @param listenPort        port, 0 = ephemeral
 * @param advertiseHost     host other processes reach this worker at; null = {@code listenHost}
 * @param masterAddress     the master's host:port
 * @param joinToken         cluster join token (registers with the master, verifies block access tokens)
 * @param labels            failure-domain labels such as {@code site=office1}
 * @param capacityBytes     bytes for blocks; 0 = what the disk has
 * @param heartbeatInterval time between heartbeats; null = {@link #DEFAULT_HEARTBEAT_INTERVAL}
 */
public record WorkerConfig(Path dataDir, String listenHost, int listenPort, String advertiseHost,
                           String masterAddress, String joinToken, Map<String, String> labels,
                           long capacityBytes, Duration heartbeatInterval) {

    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

    public WorkerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(masterAddress, "masterAddress");
        Objects.requireNonNull(joinToken, "joinToken");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort out of range: " + listenPort);
        }
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must be >= 0: " + capacityBytes);
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (heartbeatInterval == null) {
            heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        } else if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive: " + heartbeatInterval);
        }
    }

    /** A worker on 127.0.0.1, ephemeral port, no labels, the whole disk, default heartbeat. */
    public static WorkerConfig defaults(Path dataDir, String masterAddress, String joinToken) {
        return new WorkerConfig(dataDir, "127.0.0.1", 0, null, masterAddress, joinToken, Map.of(), 0,
                DEFAULT_HEARTBEAT_INTERVAL);
    }
}
