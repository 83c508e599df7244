package io.sklad.vfs.fs;

import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.metadata.MasterConfig;
import io.sklad.metadata.MasterServer;
import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.BlockAccess;
import io.sklad.vfs.client.BlockId;
import io.sklad.vfs.client.ChunkTokenSource;
import io.sklad.vfs.client.ChunkClient;
import io.sklad.vfs.client.GrpcChunkClient;
import io.sklad.vfs.client.GrpcMetadataClient;
import io.sklad.vfs.client.LoginResult;
import io.sklad.vfs.client.SealedBlock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real cluster in-process: a master and N workers on 127.0.0.1 with ephemeral ports under one directory,
 * the admin logged in through a {@link SkladFileSystem}, and a volume {@code main} with R = 3.
 */
final class ClusterFixture implements AutoCloseable {

    static final String PASSWORD = "test admin password";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final Path dir;
    final MasterServer master;
    final String masterAddress;
    final List<WorkerServer> workers = new ArrayList<>();
    final List<Path> workerDirs = new ArrayList<>();
    /** PutBlocks calls and blocks sent by the agent, counted by a decorator around the real client. */
    final AtomicLong putCalls = new AtomicLong();
    final AtomicLong putBlocks = new AtomicLong();
    /** GetBlock calls (one block each) and GetBlocks calls (a run of blocks each). */
    final AtomicLong getCalls = new AtomicLong();
    final AtomicLong getRunCalls = new AtomicLong();
    final SkladFileSystem fs;

    ClusterFixture(Path dir, int workerCount) throws Exception {
        this.dir = dir;
        this.master = new MasterServer(MasterConfig.defaults(dir.resolve("master")).withListenPort(0)).start();
        master.ensureAdmin(PASSWORD);
        this.masterAddress = "127.0.0.1:" + master.port();
        for (int i = 0; i < workerCount; i++) {
            Path wd = dir.resolve("worker" + i);
            WorkerServer w = new WorkerServer(new WorkerConfig(wd, "127.0.0.1", 0, null, masterAddress,
                    master.joinToken(), Map.of(), 0, Duration.ofMillis(500)));
            w.start();
            workers.add(w);
            workerDirs.add(wd);
        }
        this.fs = openFileSystem(dir.resolve("agent"), 64L << 20);
        awaitLiveWorkers(workerCount);
        fs.createVolume("main", 3, 0);
    }

    /** Another agent on the same cluster (own work dir and caches). */
    SkladFileSystem openFileSystem(Path workDir, long cacheBytes) throws IOException {
        return openFileSystem(workDir, cacheBytes, Duration.ZERO);
    }

    /** Another agent with an attribute cache of this lifetime. */
    SkladFileSystem openFileSystem(Path workDir, long cacheBytes, Duration attributeTtl) throws IOException {
        AgentConfig config = new AgentConfig(masterAddress, "admin", PASSWORD, null, workDir, 4, cacheBytes, TIMEOUT,
                attributeTtl);
        GrpcMetadataClient metadata = new GrpcMetadataClient(masterAddress, TIMEOUT);
        LoginResult login = metadata.login("admin", PASSWORD);
        ChunkClient counting = new CountingChunkClient(new GrpcChunkClient(new ChunkTokenSource(metadata,
                new BlockAccess(login.chunkToken(), SkladFileSystem.expiryOf(login.chunkToken()))), TIMEOUT));
        return new SkladFileSystem(SkladFileSystemProvider.instance(), masterAddress, config, metadata, counting,
                () -> {
                });
    }

    private void awaitLiveWorkers(int count) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (fs.metadata().liveNodes().size() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("workers did not register in time");
            }
            Thread.sleep(50);
        }
    }

    /** Block ids held by worker i, read from its own files. */
    Set<BlockId> blocksOn(int worker) throws IOException {
        Set<BlockId> ids = new HashSet<>();
        for (String hex : LocalDiskBlockStore.listBlockIds(workerDirs.get(worker))) {
            ids.add(new BlockId(hex));
        }
        return ids;
    }

    int workerIndexOf(String nodeId) {
        for (int i = 0; i < workers.size(); i++) {
            if (workers.get(i).nodeId().equals(nodeId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no worker " + nodeId);
    }

    @Override
    public void close() throws Exception {
        fs.close();
        for (WorkerServer w : workers) {
            w.close();
        }
        master.close();
    }

    private final class CountingChunkClient implements ChunkClient {
        private final ChunkClient delegate;

        CountingChunkClient(ChunkClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<Set<BlockId>> putBlocks(String address, List<SealedBlock> batch) {
            putCalls.incrementAndGet();
            putBlocks.addAndGet(batch.size());
            return delegate.putBlocks(address, batch);
        }

        @Override
        public byte[] getBlock(String address, BlockId id) throws IOException {
            getCalls.incrementAndGet();
            return delegate.getBlock(address, id);
        }

        @Override
        public void getBlocks(String address, List<BlockId> ids, BlockSink sink) throws IOException {
            getRunCalls.incrementAndGet();
            delegate.getBlocks(address, ids, sink);
        }

        @Override
        public Set<BlockId> hasBlocks(String address, Collection<BlockId> ids) throws IOException {
            return delegate.hasBlocks(address, ids);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
