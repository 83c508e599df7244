package io.sklad.metadata;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sklad.metadata.auth.Authenticator;
import io.sklad.metadata.auth.ChunkTokens;
import io.sklad.metadata.auth.JoinTokenFile;
import io.sklad.metadata.auth.PasswordHasher;
import io.sklad.metadata.auth.UserAdministration;
import io.sklad.metadata.lease.LeaseTable;
import io.sklad.metadata.gc.GarbageCollector;
import io.sklad.metadata.node.NodeAdministration;
import io.sklad.metadata.node.QueuedNodeCommands;
import io.sklad.metadata.repair.HealingStatus;
import io.sklad.metadata.repair.RepairScheduler;
import io.sklad.metadata.rpc.ClusterAdminGrpcService;
import io.sklad.metadata.rpc.AdminGrpcService;
import io.sklad.metadata.rpc.AgentAuthGrpcService;
import io.sklad.metadata.rpc.AuthGrpcService;
import io.sklad.metadata.rpc.BearerAuthInterceptor;
import io.sklad.metadata.rpc.JoinTokenInterceptor;
import io.sklad.metadata.rpc.LeaseGrpcService;
import io.sklad.metadata.rpc.LeaseHolderInterceptor;
import io.sklad.metadata.rpc.NamespaceGrpcService;
import io.sklad.metadata.rpc.NodeGrpcService;
import io.sklad.metadata.store.Database;
import io.sklad.metadata.store.JdbcMetadataStore;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.StorePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The master process: metadata store plus the AuthService, NodeService, NamespaceService, AdminService,
 * AgentAuthService, LeaseService and ClusterAdminService over gRPC, with repair and garbage collection
 * running in the background once started.
 * The constructor opens (and migrates) the database and the join token; {@link #start()} binds.
 */
public final class MasterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);
    // Agents stream commits in parts of 4 096 blocks (~700 KB) and block reports in frames; 16 MiB leaves room
    // for a unary CommitVersion of ~100 000 blocks from older callers and refuses anything larger.
    private static final int MAX_INBOUND = 16 * 1024 * 1024;
    private static final long MIN_WAKE_GAP_MILLIS = 200;

    private final MasterConfig config;
    private final String joinToken;
    private final MetadataStore store;
    private final Authenticator auth;
    private final UserAdministration admin;
    private final LeaseTable leases;
    private final Clock clock = Clock.systemUTC();
    private final QueuedNodeCommands commands = new QueuedNodeCommands();
    private final RepairScheduler repair;
    private final GarbageCollector gc;
    private final NodeAdministration nodeAdmin;
    private Server server;
    private ScheduledExecutorService upkeep;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile long lastWakePass;

    public MasterServer(MasterConfig config) {
        this.config = config;
        try {
            Files.createDirectories(config.dataDir().resolve("meta"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SecureRandom random = new SecureRandom();
        this.joinToken = JoinTokenFile.loadOrCreate(config.dataDir(), random);
        JdbcMetadataStore jdbc = new JdbcMetadataStore(Database.open(config.effectiveJdbcUrl()),
                new StorePolicy(config.suspectAfter(), config.deadAfter(), config.writeQuorum()), clock);
        this.store = jdbc;
        this.repair = new RepairScheduler(jdbc, jdbc::nodes, commands, config.healing(), clock, this::wakeRepair);
        this.gc = new GarbageCollector(jdbc, commands, config.healing(), clock);
        this.nodeAdmin = new NodeAdministration(jdbc, jdbc, commands);
        PasswordHasher hasher = new PasswordHasher(random);
        this.auth = new Authenticator(store, hasher, new ChunkTokens(joinToken), random, clock, config.tokenTtl());
        this.admin = new UserAdministration(store, hasher, clock);
        this.leases = new LeaseTable(clock);
    }

    /** Binds {@code listenHost:listenPort} and starts serving. */
    public synchronized MasterServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        // workers beat three times per suspect window, at most every 3 s
        Duration beat = Duration.ofMillis(Math.max(100, Math.min(3000, config.suspectAfter().toMillis() / 3)));
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()))
                .maxInboundMessageSize(MAX_INBOUND)
                .addService(ServerInterceptors.intercept(new AuthGrpcService(auth), AuthGrpcService.bearerCapture()))
                .addService(ServerInterceptors.intercept(new NodeGrpcService(store, commands, repair, beat, clock),
                        new JoinTokenInterceptor(joinToken)))
                .addService(ServerInterceptors.intercept(new NamespaceGrpcService(store, new ChunkTokens(joinToken), clock,
                        leases, this::healingStatus), new LeaseHolderInterceptor(), new BearerAuthInterceptor(auth)))
                .addService(ServerInterceptors.intercept(new LeaseGrpcService(store, leases),
                        new BearerAuthInterceptor(auth)))
                .addService(ServerInterceptors.intercept(new AdminGrpcService(admin), new BearerAuthInterceptor(auth)))
                .addService(ServerInterceptors.intercept(new ClusterAdminGrpcService(nodeAdmin),
                        new BearerAuthInterceptor(auth)))
                .addService(ServerInterceptors.intercept(new AgentAuthGrpcService(auth),
                        new JoinTokenInterceptor(joinToken)))
                .build();
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.listenHost() + ":" + config.listenPort(), e);
        }
        server = s;
        startUpkeep();
        LOG.info("master listening on {}:{}", config.listenHost(), s.getPort());
        return this;
    }

    /** Repair and garbage collection on one background thread, each at its own interval. */
    private void startUpkeep() {
        upkeep = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sklad-master-healing");
            t.setDaemon(true);
            return t;
        });
        long repairEvery = config.healing().repairInterval().toMillis();
        long gcEvery = config.healing().gcInterval().toMillis();
        upkeep.scheduleWithFixedDelay(() -> quietly("repair", repair::runOnce), repairEvery, repairEvery,
                TimeUnit.MILLISECONDS);
        upkeep.scheduleWithFixedDelay(() -> quietly("garbage collection", gc::runOnce), gcEvery, gcEvery,
                TimeUnit.MILLISECONDS);
    }

    /**
     * A copy task finished: run a repair pass soon rather than at the next interval, so that workers get their
     * next tasks while the pipeline is still full. At most one extra pass is pending, and they run at least
     * {@link #MIN_WAKE_GAP_MILLIS} apart (a pass scans the replica table).
     */
    private void wakeRepair() {
        ScheduledExecutorService u;
        synchronized (this) {
            u = upkeep;
        }
        if (u == null || !wakePending.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastWakePass + MIN_WAKE_GAP_MILLIS - System.currentTimeMillis());
        try {
            u.schedule(() -> {
                wakePending.set(false);
                lastWakePass = System.currentTimeMillis();
                quietly("repair", repair::runOnce);
            }, wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            wakePending.set(false); // shutting down
        }
    }

    private static void quietly(String what, Runnable pass) {
        try {
            pass.run();
        } catch (RuntimeException e) {
            // a thrown exception would cancel the schedule: log it and try again next interval
            LOG.warn("{} pass failed: {}", what, e.toString());
        }
    }

    private HealingStatus healingStatus() {
        return new HealingStatus(repair.progress(), gc.pending(), gc.deleted());
    }

    /** The repair scheduler (passes run in the background; tests may run one now). */
    public RepairScheduler repairScheduler() {
        return repair;
    }

    /** The garbage collector (passes run in the background; tests may run one now). */
    public GarbageCollector garbageCollector() {
        return gc;
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getPort();
    }

    /** The cluster join token, created once and kept in {@code dataDir/join.token}. */
    public String joinToken() {
        return joinToken;
    }

    /** Creates the {@code admin} user unless it exists; a null password is generated. */
    public AdminBootstrap ensureAdmin(String passwordOrNull) {
        Authenticator.AdminResult r = auth.ensureAdmin(passwordOrNull);
        return new AdminBootstrap(r.created(), r.password());
    }

    /**
     * A login session for {@code user} issued without its password: for the process embedding the
     * master only (never exposed over gRPC).
     */
    public Authenticator.Session issueSession(String user) {
        return auth.issueTrusted(user, null);
    }

    /** User administration (the AdminService's rules), for the composition root and tests. */
    public UserAdministration userAdministration() {
        return admin;
    }

    /** The master's write leases, for tests. */
    public LeaseTable leases() {
        return leases;
    }

    /** The metadata store, for the composition root (user administration) and tests. */
    public MetadataStore store() {
        return store;
    }

    @Override
    public synchronized void close() {
        if (upkeep != null) {
            upkeep.shutdownNow();
            try {
                upkeep.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            upkeep = null;
        }
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
            server = null;
        }
        store.close();
        LOG.info("master stopped");
    }
}
