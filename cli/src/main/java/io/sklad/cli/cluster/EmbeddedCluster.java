package io.sklad.cli.cluster;

import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.metadata.AdminBootstrap;
import io.sklad.metadata.MasterConfig;
import io.sklad.metadata.MasterServer;
import io.sklad.metadata.store.NodeState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master and N workers in this JVM with all data under one directory: the heart of {@code sklad up}
 * and of in-process cluster tests. Worker i (1-based) keeps its store in {@code DIR/workers/i}.
 */
public final class EmbeddedCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

    /** What to start. Ports 0 are ephemeral. */
    public record Settings(Path dataDir, String host, int masterPort, int workers, Duration suspectAfter,
                           Duration deadAfter, Duration heartbeat, Map<String, Map<String, String>> labels,
                           Duration tokenTtl) {

        public Settings {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        /** The defaults of {@code sklad up}: loopback, master on 7700, 3 workers. */
        public static Settings defaults(Path dataDir) {
            MasterConfig m = MasterConfig.defaults(dataDir);
            return new Settings(dataDir, "127.0.0.1", MasterConfig.DEFAULT_PORT, 3, m.suspectAfter(), m.deadAfter(),
                    WorkerConfig.DEFAULT_HEARTBEAT_INTERVAL, Map.of(), m.tokenTtl());
        }

        public Settings withMasterPort(int port) {
            return new Settings(dataDir, host, port, workers, suspectAfter, deadAfter, heartbeat, labels, tokenTtl);
        }

        public Settings withWorkers(int n) {
            return new Settings(dataDir, host, masterPort, n, suspectAfter, deadAfter, heartbeat, labels, tokenTtl);
        }

        public Settings withTimeouts(Duration suspect, Duration dead, Duration beat) {
            return new Settings(dataDir, host, masterPort, workers, suspect, dead, beat, labels, tokenTtl);
        }
    }

    private final Settings settings;
    private final MasterServer master;
    private final AdminBootstrap admin;
    private final List<WorkerServer> workers = new ArrayList<>();

    private EmbeddedCluster(Settings settings, MasterServer master, AdminBootstrap admin) {
        this.settings = settings;
        this.master = master;
        this.admin = admin;
    }

    /** Starts the master, makes sure user admin exists, starts the workers and waits until all are alive. */
    public static EmbeddedCluster start(Settings s, String adminPasswordOrNull, Duration readyTimeout)
            throws IOException, InterruptedException, TimeoutException {
        Files.createDirectories(s.dataDir());
        MasterConfig mc = MasterConfig.defaults(s.dataDir().resolve("master"))
                .withListenPort(s.masterPort()).withNodeTimeouts(s.suspectAfter(), s.deadAfter());
        mc = new MasterConfig(mc.dataDir(), s.host(), mc.listenPort(), mc.jdbcUrl(), mc.suspectAfter(), mc.deadAfter(),
                mc.writeQuorum(), s.tokenTtl());
        MasterServer master = new MasterServer(mc);
        EmbeddedCluster cluster;
        try {
            master.start();
            cluster = new EmbeddedCluster(s, master, master.ensureAdmin(adminPasswordOrNull));
        } catch (RuntimeException e) {
            master.close();
            throw e;
        }
        try {
            for (int i = 1; i <= s.workers(); i++) {
                cluster.startWorker(i);
            }
            cluster.awaitAliveWorkers(s.workers(), readyTimeout);
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts worker {@code i} (1-based) on its directory; again after {@link #stopWorker} to bring it back. */
    public synchronized WorkerServer startWorker(int i) throws IOException {
        Path dir = workerDir(i);
        Files.createDirectories(dir);
        WorkerConfig wc = new WorkerConfig(dir, settings.host(), 0, null, masterAddress(), master.joinToken(),
                settings.labels().getOrDefault(Integer.toString(i), Map.of()), 0, settings.heartbeat());
        WorkerServer w = new WorkerServer(wc);
        w.start();
        while (workers.size() < i) {
            workers.add(null);
        }
        workers.set(i - 1, w);
        LOG.info("worker {} ({}) on {}", i, w.nodeId(), w.address());
        return w;
    }

    /** Stops worker {@code i} (its data stays); it stops heartbeating, as a crashed machine would. */
    public synchronized void stopWorker(int i) {
        WorkerServer w = workers.get(i - 1);
        if (w != null) {
            w.close();
            workers.set(i - 1, null);
        }
    }

    public Path workerDir(int i) {
        return settings.dataDir().resolve("workers").resolve(Integer.toString(i));
    }

    /** Waits until at least {@code n} workers are alive in the master's registry. */
    public void awaitAliveWorkers(int n, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (aliveWorkers() < n) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("only " + aliveWorkers() + " of " + n + " workers registered with the master within "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    public long aliveWorkers() {
        return master.store().nodes().stream().filter(n -> n.state() == NodeState.ALIVE).count();
    }

    public String masterAddress() {
        return settings.host() + ":" + master.port();
    }

    public MasterServer master() {
        return master;
    }

    public AdminBootstrap admin() {
        return admin;
    }

    public Settings settings() {
        return settings;
    }

    public synchronized List<WorkerServer> workers() {
        return List.copyOf(workers.stream().filter(w -> w != null).toList());
    }

    @Override
    public synchronized void close() {
        for (WorkerServer w : workers) {
            if (w != null) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing worker {}: {}", w.nodeId(), e.toString());
                }
            }
        }
        workers.clear();
        master.close();
    }
}
