package io.sklad.chunkstore.rpc;

import static io.sklad.chunkstore.rpc.ChunkGrpcServiceTest.JOIN;
import static io.sklad.chunkstore.rpc.ChunkGrpcServiceTest.assertError;
import static io.sklad.chunkstore.rpc.ChunkGrpcServiceTest.framesOf;
import static io.sklad.chunkstore.rpc.ChunkGrpcServiceTest.send;
import static io.sklad.chunkstore.rpc.ChunkGrpcServiceTest.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sklad.chunkstore.MaintenanceConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.Blocks;
import io.sklad.chunkstore.store.DiskSpace;
import io.sklad.chunkstore.store.DiskStoreConfig;
import io.sklad.chunkstore.store.LocalDiskBlockStore;
import io.sklad.proto.v1.ChunkServiceGrpc;
import io.sklad.proto.v1.DeleteBlocksRequest;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.GetBlockRequest;
import io.sklad.proto.v1.GetBlockResponse;
import io.sklad.proto.v1.StatRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real worker with its upkeep: started on a full or read-only disk, scrubbing in the background. */
class WorkerUpkeepTest {

    @TempDir
    Path dir;
    WorkerServer worker;
    ManagedChannel channel;
    ChunkServiceGrpc.ChunkServiceStub async;
    ChunkServiceGrpc.ChunkServiceBlockingStub blocking;

    /** A disk whose answers the test sets; as root, chmod cannot make a directory read-only. */
    static final class FakeDisk implements DiskSpace {
        volatile long usable = 1L << 40;
        volatile boolean readOnly;

        @Override
        public long usableBytes(Path d) {
            return usable;
        }

        @Override
        public boolean readOnly(Path d) {
            return readOnly;
        }
    }

    Path dataDir() {
        return dir.resolve("worker");
    }

    List<byte[]> prefill(int count) throws Exception {
        try (LocalDiskBlockStore store = new LocalDiskBlockStore(DiskStoreConfig.of(dataDir(), 0))) {
            List<byte[]> blocks = java.util.stream.Stream.generate(() -> Blocks.random(30_000)).limit(count).toList();
            for (byte[] b : blocks) {
                store.put(Blocks.idOf(b), b);
            }
            return blocks;
        }
    }

    void start(MaintenanceConfig maintenance, DiskSpace disk) throws Exception {
        worker = new WorkerServer(ChunkGrpcServiceTest.config(dataDir(), 0), maintenance, disk);
        worker.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", worker.port()).usePlaintext().build();
        async = withHeader(ChunkServiceGrpc.newStub(channel), ChunkAuthInterceptor.JOIN_TOKEN, JOIN);
        blocking = withHeader(ChunkServiceGrpc.newBlockingStub(channel), ChunkAuthInterceptor.JOIN_TOKEN, JOIN)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (worker != null) {
            worker.close();
        }
    }

    byte[] get(BlockId id) {
        Iterator<GetBlockResponse> frames = blocking.getBlock(
                GetBlockRequest.newBuilder().setBlockId(ByteString.copyFrom(id.toBytes())).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.forEachRemaining(f -> out.writeBytes(f.getData().toByteArray()));
        return out.toByteArray();
    }

    boolean readOnly() {
        return blocking.stat(StatRequest.getDefaultInstance()).getReadOnly();
    }

    static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", within).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void startsOnAFullDiskServingReadsAndTakesPutsOnceSpaceComesBack() throws Exception {
        List<byte[]> blocks = prefill(5);
        FakeDisk disk = new FakeDisk();
        disk.usable = 1 << 20;

        start(MaintenanceConfig.defaults().withSpaceCheckInterval(Duration.ofMillis(100)), disk);

        assertThat(readOnly()).isTrue();
        for (byte[] b : blocks) {
            assertThat(get(Blocks.idOf(b))).isEqualTo(b);
        }
        byte[] fresh = Blocks.random(10_000);
        assertThatThrownBy(() -> send(async, framesOf(fresh)))
                .satisfies(t -> assertError(t, Status.Code.RESOURCE_EXHAUSTED, ErrorCode.NO_SPACE));

        disk.usable = 1L << 40;
        await(() -> !readOnly(), Duration.ofSeconds(5));

        assertThat(send(async, framesOf(fresh)).getStoredCount()).isEqualTo(1);
        assertThat(get(Blocks.idOf(fresh))).isEqualTo(fresh);
    }

    @Test
    void startsOnAReadOnlyDiskServingReads() throws Exception {
        List<byte[]> blocks = prefill(3);
        FakeDisk disk = new FakeDisk();
        disk.readOnly = true;

        start(MaintenanceConfig.defaults().withSpaceCheckInterval(Duration.ofMillis(100)), disk);

        assertThat(readOnly()).isTrue();
        for (byte[] b : blocks) {
            assertThat(get(Blocks.idOf(b))).isEqualTo(b);
        }
        byte[] fresh = Blocks.random(10_000);
        assertThatThrownBy(() -> send(async, framesOf(fresh)))
                .satisfies(t -> assertError(t, Status.Code.RESOURCE_EXHAUSTED, ErrorCode.NO_SPACE));
        assertThatThrownBy(() -> blocking.deleteBlocks(DeleteBlocksRequest.newBuilder()
                .addBlockIds(ByteString.copyFrom(Blocks.idOf(blocks.get(0)).toBytes())).build()))
                .satisfies(t -> assertError(t, Status.Code.RESOURCE_EXHAUSTED, ErrorCode.NO_SPACE));
        Thread.sleep(300); // a few space checks: still read-only
        assertThat(readOnly()).isTrue();
    }

    @Test
    void theScrubberFindsDamageAndTheWorkerKeepsServingTheRest() throws Exception {
        List<byte[]> blocks = prefill(6);
        BlockId victim = Blocks.idOf(blocks.get(4));
        long offset = LocalDiskBlockStore.inventory(dataDir()).blocks().stream()
                .filter(b -> b.id().equals(victim.toHex())).findFirst().orElseThrow().offset();
        try (FileChannel ch = FileChannel.open(dataDir().resolve("blocks/vol-000001.dat"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {7, 7, 7, 7}), offset + 5);
        }

        start(MaintenanceConfig.defaults()
                .withScrub(64L << 20, Duration.ofMillis(200))
                .withCompaction(0.5, Duration.ofMillis(200), 0), new FakeDisk());

        await(() -> worker.scrubStatus().passesCompleted() >= 1, Duration.ofSeconds(5));
        assertThat(worker.scrubStatus().corruptFound()).isEqualTo(1);
        // No master runs here, so nothing acknowledges the report: it waits for the next heartbeat.
        assertThat(worker.blockStore().corruptBlocks()).containsExactly(victim);
        assertThatThrownBy(() -> get(victim)).satisfies(t -> assertError(t, Status.Code.NOT_FOUND, ErrorCode.NOT_FOUND));
        for (byte[] b : blocks) {
            if (!Blocks.idOf(b).equals(victim)) {
                assertThat(get(Blocks.idOf(b))).isEqualTo(b);
            }
        }
        // One volume, the current one: nothing to compact, and the periodic runs leave it so.
        assertThat(worker.compactNow().volumesCompacted()).isZero();
        assertThat(dataDir().resolve("scrub.state")).exists();
    }
}
