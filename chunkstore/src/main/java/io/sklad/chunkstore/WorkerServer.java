package io.sklad.chunkstore;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sklad.chunkstore.rpc.ChunkAuthInterceptor;
import io.sklad.chunkstore.rpc.ChunkGrpcService;
import io.sklad.chunkstore.rpc.GrpcMasterClient;
import io.sklad.chunkstore.rpc.GrpcPeerClient;
import io.sklad.chunkstore.rpc.NodeCommandExecutor;
import io.sklad.chunkstore.scrub.ScrubStatus;
import io.sklad.chunkstore.scrub.Scrubber;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.chunkstore.store.Compactor;
import io.sklad.chunkstore.store.DiskSpace;
import io.sklad.chunkstore.store.DiskStoreConfig;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process: the block store in {@code dataDir}, its gRPC ChunkService, the link to the
 * master (register, block report, heartbeats, commands) and the store's upkeep (scrubber,
 * periodic compaction, free-space check), all running in the background. A worker whose disk is
 * full or read-only still starts, serving reads and reporting {@code read_only}.
 */
public final class WorkerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerServer.class);
    private static final String NODE_ID_FILE = "node.id";
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final Duration PEER_DEADLINE = Duration.ofSeconds(60);
    private static final String SCRUB_STATE_FILE = "scrub.state";

    private final WorkerConfig config;
    private final MaintenanceConfig maintenance;
    private final DiskSpace disk;
    private LocalDiskBlockStore store;
    private Scrubber scrubber;
    private Compactor compactor;
    private ScheduledExecutorService upkeep;
    private Server server;
    private GrpcPeerClient peers;
    private NodeCommandExecutor commands;
    private volatile GrpcMasterClient master;
    private String nodeId;
    private boolean closed;

    public WorkerServer(WorkerConfig config) {
        this(config, MaintenanceConfig.defaults());
    }

    public WorkerServer(WorkerConfig config, MaintenanceConfig maintenance) {
        this(config, maintenance, DiskSpace.system());
    }

    /** As {@link #WorkerServer(WorkerConfig, MaintenanceConfig)}, asking {@code disk} about space (a test seam). */
    public WorkerServer(WorkerConfig config, MaintenanceConfig maintenance, DiskSpace disk) {
        this.config = Objects.requireNonNull(config, "config");
        this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
        this.disk = Objects.requireNonNull(disk, "disk");
    }

    /** Opens the store, binds the ChunkService, and starts talking to the master in the background. */
    public synchronized void start() throws IOException {
        if (server != null || closed) {
            throw new IllegalStateException("worker already started or closed");
        }
        try {
            Files.createDirectories(config.dataDir());
            nodeId = loadOrCreateNodeId(config.dataDir());
            store = new LocalDiskBlockStore(new DiskStoreConfig(config.dataDir(), config.capacityBytes(),
                    maintenance.volumeFileBytes()), disk);
            startUpkeep();
            server = NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()))
                    .maxInboundMessageSize(ChunkGrpcService.FRAME_BYTES + 64 * 1024)
                    .addService(ServerInterceptors.intercept(new ChunkGrpcService(store, nodeId),
                            new ChunkAuthInterceptor(config.joinToken())))
                    .build()
                    .start();
            peers = new GrpcPeerClient(config.joinToken(), PEER_DEADLINE);
            commands = new NodeCommandExecutor(store, peers, this::nudgeMaster);
            master = new GrpcMasterClient(config, nodeId, address(), store, commands,
                    maintenance.blockReportInterval());
            master.start();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        log.info("worker {} serving blocks at {} (data {}, master {})", nodeId, address(), config.dataDir(),
                config.masterAddress());
    }

    /** A copy task ended: heartbeat now so the master hears of it at once. */
    private void nudgeMaster() {
        GrpcMasterClient m = master;
        if (m != null) {
            m.nudge();
        }
    }

    private void startUpkeep() {
        scrubber = new Scrubber(store, maintenance.scrubBytesPerSecond(),
                maintenance.scrubPeriod().isZero() ? Scrubber.DEFAULT_PERIOD : maintenance.scrubPeriod(),
                config.dataDir().resolve(SCRUB_STATE_FILE));
        if (!maintenance.scrubPeriod().isZero()) {
            scrubber.start();
        }
        compactor = new Compactor(store, maintenance.compactionThreshold(), maintenance.compactionBytesPerSecond());
        upkeep = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sklad-worker-upkeep");
            t.setDaemon(true);
            return t;
        });
        long space = maintenance.spaceCheckInterval().toMillis();
        upkeep.scheduleWithFixedDelay(store::checkSpace, space, space, TimeUnit.MILLISECONDS);
        if (!maintenance.compactionInterval().isZero()) {
            long every = maintenance.compactionInterval().toMillis();
            upkeep.scheduleWithFixedDelay(this::compactQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void compactQuietly() {
        try {
            compactor.compactNow();
        } catch (IOException | RuntimeException e) {
            // A thrown exception would cancel the schedule: log it and try again next interval.
            log.warn("compaction failed; retried in {}: {}", maintenance.compactionInterval(), e.toString());
        }
    }

    /** Compacts sealed volumes below the threshold now, on the calling thread. */
    public Compactor.Result compactNow() throws IOException {
        Compactor c;
        synchronized (this) {
            if (compactor == null || closed) {
                throw new IllegalStateException("worker not started");
            }
            c = compactor;
        }
        return c.compactNow();
    }

    /** Progress of the scrubber. */
    public synchronized ScrubStatus scrubStatus() {
        if (scrubber == null) {
            throw new IllegalStateException("worker not started");
        }
        return scrubber.status();
    }

    /** The bound port. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("worker not started");
        }
        return server.getPort();
    }

    /** host:port other processes reach this worker's ChunkService at. */
    public String address() {
        String host = config.advertiseHost() != null ? config.advertiseHost() : config.listenHost();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                host = "127.0.0.1";
            }
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** This worker's stable id (kept in {@code dataDir/node.id}). */
    public synchronized String nodeId() {
        if (nodeId == null) {
            throw new IllegalStateException("worker not started");
        }
        return nodeId;
    }

    /** The worker's block store (for in-process callers such as {@code sklad up} and tests). */
    public synchronized BlockStore blockStore() {
        if (store == null) {
            throw new IllegalStateException("worker not started");
        }
        return store;
    }

    static String loadOrCreateNodeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NODE_ID_FILE);
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            return UUID.fromString(id).toString();
        }
        String id = UUID.randomUUID().toString();
        Path tmp = dataDir.resolve(NODE_ID_FILE + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    private void stopUpkeep() {
        // Stop flags, not interrupts: an interrupt closes the volume file a thread is reading.
        if (scrubber != null) {
            scrubber.close();
        }
        if (compactor != null) {
            compactor.close();
        }
        if (upkeep != null) {
            upkeep.shutdown();
            try {
                if (!upkeep.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("worker upkeep did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops heartbeats, shuts the server down (with a grace period), stops upkeep, closes the store. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (master != null) {
            master.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    server.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (peers != null) {
            peers.close();
        }
        stopUpkeep();
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                log.warn("closing the block store failed: {}", e.toString());
            }
        }
        log.info("worker {} stopped", nodeId);
    }
}
