package io.sklad.chunkstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.Blocks;
import io.sklad.proto.v1.BlockHeader;
import io.sklad.proto.v1.ChunkServiceGrpc;
import io.sklad.proto.v1.DeleteBlocksRequest;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.proto.v1.GetBlockRequest;
import io.sklad.proto.v1.GetBlockResponse;
import io.sklad.proto.v1.GetBlocksRequest;
import io.sklad.proto.v1.GetBlocksResponse;
import io.sklad.proto.v1.HasBlocksRequest;
import io.sklad.proto.v1.PutBlocksRequest;
import io.sklad.proto.v1.PutBlocksResponse;
import io.sklad.proto.v1.StatRequest;
import io.sklad.proto.v1.StatResponse;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real worker on 127.0.0.1:0 through generated stubs. No master runs: the worker keeps retrying it. */
class ChunkGrpcServiceTest {
    static final String JOIN = "test-join-token";
    /** Nothing listens there; the worker logs once and retries in the background. */
    static final String NO_MASTER = "127.0.0.1:1";

    @TempDir
    Path dir;
    WorkerServer worker;
    ManagedChannel channel;
    ChunkServiceGrpc.ChunkServiceStub async;
    ChunkServiceGrpc.ChunkServiceBlockingStub blocking;

    static WorkerConfig config(Path dataDir, long capacity) {
        return new WorkerConfig(dataDir, "127.0.0.1", 0, null, NO_MASTER, JOIN, Map.of("site", "test"), capacity,
                Duration.ofMillis(200));
    }

    @BeforeEach
    void start() throws Exception {
        startWorker(0);
    }

    void startWorker(long capacity) throws Exception {
        worker = new WorkerServer(config(dir.resolve("worker"), capacity));
        worker.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", worker.port()).usePlaintext().build();
        async = withHeader(ChunkServiceGrpc.newStub(channel), ChunkAuthInterceptor.JOIN_TOKEN, JOIN);
        blocking = withHeader(ChunkServiceGrpc.newBlockingStub(channel), ChunkAuthInterceptor.JOIN_TOKEN, JOIN)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        worker.close();
    }

    static <S extends io.grpc.stub.AbstractStub<S>> S withHeader(S stub, Metadata.Key<String> key, String value) {
        Metadata md = new Metadata();
        md.put(key, value);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    static List<PutBlocksRequest> framesOf(byte[] data) {
        List<PutBlocksRequest> frames = new ArrayList<>();
        frames.add(header(Blocks.idOf(data), data.length));
        for (int off = 0; off < data.length; off += ChunkGrpcService.FRAME_BYTES) {
            int n = Math.min(ChunkGrpcService.FRAME_BYTES, data.length - off);
            frames.add(PutBlocksRequest.newBuilder().setData(ByteString.copyFrom(data, off, n)).build());
        }
        return frames;
    }

    static PutBlocksRequest header(BlockId id, long length) {
        return PutBlocksRequest.newBuilder().setHeader(BlockHeader.newBuilder()
                .setBlockId(ByteString.copyFrom(id.toBytes())).setLength(length)).build();
    }

    static PutBlocksResponse send(ChunkServiceGrpc.ChunkServiceStub stub, List<PutBlocksRequest> frames)
            throws Exception {
        CompletableFuture<PutBlocksResponse> done = new CompletableFuture<>();
        StreamObserver<PutBlocksRequest> requests = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .putBlocks(new StreamObserver<>() {
                    @Override
                    public void onNext(PutBlocksResponse value) {
                        done.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        for (PutBlocksRequest f : frames) {
            requests.onNext(f);
        }
        requests.onCompleted();
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    PutBlocksResponse put(byte[]... blocks) throws Exception {
        List<PutBlocksRequest> frames = new ArrayList<>();
        for (byte[] b : blocks) {
            frames.addAll(framesOf(b));
        }
        return send(async, frames);
    }

    byte[] get(BlockId id) {
        Iterator<GetBlockResponse> frames = blocking.getBlock(
                GetBlockRequest.newBuilder().setBlockId(ByteString.copyFrom(id.toBytes())).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long declared = -1;
        boolean first = true;
        while (frames.hasNext()) {
            GetBlockResponse f = frames.next();
            assertThat(f.getData().size()).isLessThanOrEqualTo(ChunkGrpcService.FRAME_BYTES);
            if (first) {
                declared = f.getLength();
                first = false;
            }
            out.writeBytes(f.getData().toByteArray());
        }
        assertThat(out.size()).isEqualTo(declared);
        return out.toByteArray();
    }

    boolean has(BlockId id) {
        return blocking.hasBlocks(HasBlocksRequest.newBuilder().addBlockIds(ByteString.copyFrom(id.toBytes())).build())
                .getPresentCount() == 1;
    }

    static void assertError(Throwable t, Status.Code status, ErrorCode code) {
        assertThat(t).isInstanceOf(StatusRuntimeException.class);
        assertThat(Status.fromThrowable(t).getCode()).isEqualTo(status);
        ErrorDetail detail = GrpcErrors.detailOf(t);
        assertThat(detail).as("ErrorDetail in %s", t).isNotNull();
        assertThat(detail.getCode()).isEqualTo(code);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 65536, 4 * 1024 * 1024, 4 * 1024 * 1024 + 64})
    void blocksRoundTrip(int size) throws Exception {
        byte[] data = Blocks.random(size);

        PutBlocksResponse response = put(data);

        assertThat(response.getStoredList()).containsExactly(ByteString.copyFrom(Blocks.idOf(data).toBytes()));
        assertThat(response.getBytesWritten()).isEqualTo(size);
        assertThat(get(Blocks.idOf(data))).isEqualTo(data);
        assertThat(has(Blocks.idOf(data))).isTrue();
    }

    @Test
    void batchOfBlocksInOneStreamAndDedup() throws Exception {
        byte[] a = Blocks.random(70_000);
        byte[] b = Blocks.random(1);
        byte[] c = Blocks.random(2 * 1024 * 1024 + 5);

        PutBlocksResponse first = put(a, b, c);
        PutBlocksResponse again = put(a, b);

        assertThat(first.getStoredCount()).isEqualTo(3);
        assertThat(first.getBytesWritten()).isEqualTo(70_000 + 1 + 2 * 1024 * 1024 + 5);
        assertThat(again.getStoredCount()).isEqualTo(2);
        assertThat(again.getBytesWritten()).isZero();
        assertThat(get(Blocks.idOf(c))).isEqualTo(c);
        StatResponse stat = blocking.stat(StatRequest.getDefaultInstance());
        assertThat(stat.getBlockCount()).isEqualTo(3);
        assertThat(stat.getNodeId()).isEqualTo(worker.nodeId());
        assertThat(stat.getReadOnly()).isFalse();
        assertThat(stat.getCapacityBytes()).isPositive();
    }

    @Test
    void getBlocksStreamsSeveralInOrderAndMarksTheOnesItCannotServe() throws Exception {
        byte[] a = Blocks.random(70_000);
        byte[] c = Blocks.random(2 * 1024 * 1024 + 5);
        byte[] empty = new byte[0];
        put(a, c, empty);
        BlockId missing = Blocks.idOf(Blocks.random(10));

        Iterator<GetBlocksResponse> frames = blocking.getBlocks(GetBlocksRequest.newBuilder()
                .addBlockIds(ByteString.copyFrom(Blocks.idOf(a).toBytes()))
                .addBlockIds(ByteString.copyFrom(missing.toBytes()))
                .addBlockIds(ByteString.copyFrom(Blocks.idOf(c).toBytes()))
                .addBlockIds(ByteString.copyFrom(Blocks.idOf(empty).toBytes())).build());
        List<String> seen = new ArrayList<>();
        List<byte[]> blocks = new ArrayList<>();
        ByteArrayOutputStream current = null;
        while (frames.hasNext()) {
            GetBlocksResponse r = frames.next();
            switch (r.getPartCase()) {
                case HEADER -> {
                    if (current != null) {
                        blocks.add(current.toByteArray());
                    }
                    current = new ByteArrayOutputStream();
                    seen.add(BlockId.of(r.getHeader().getBlockId().toByteArray()) + "/" + r.getHeader().getLength());
                }
                case DATA -> r.getData().writeTo(current);
                case UNAVAILABLE -> {
                    seen.add("unavailable " + BlockId.of(r.getUnavailable().getBlockId().toByteArray()));
                    assertThat(r.getUnavailable().getError().getCode()).isEqualTo(ErrorCode.NOT_FOUND);
                }
                default -> throw new AssertionError("empty frame");
            }
        }
        blocks.add(current.toByteArray());

        assertThat(seen).containsExactly(Blocks.idOf(a) + "/" + a.length, "unavailable " + missing,
                Blocks.idOf(c) + "/" + c.length, Blocks.idOf(empty) + "/0");
        assertThat(blocks).containsExactly(a, c, empty);
    }

    @Test
    void hashMismatchIsDataLossAndNothingIsStored() throws Exception {
        byte[] data = Blocks.random(5000);
        BlockId claimed = Blocks.idOf(Blocks.random(5000));
        List<PutBlocksRequest> frames = new ArrayList<>(framesOf(data));
        frames.set(0, header(claimed, data.length));

        assertThatThrownBy(() -> send(async, frames))
                .satisfies(t -> assertError(t, Status.Code.DATA_LOSS, ErrorCode.CORRUPT));

        assertThat(has(claimed)).isFalse();
        assertThat(has(Blocks.idOf(data))).isFalse();
    }

    @Test
    void oversizedBlockHeaderIsInvalidArgument() {
        BlockId id = Blocks.idOf(Blocks.random(10));
        assertThatThrownBy(() -> send(async, List.of(header(id, 4L * 1024 * 1024 + 4097))))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void malformedStreamsAreInvalidArgument() {
        byte[] data = Blocks.random(1000);
        List<PutBlocksRequest> frames = framesOf(data);
        PutBlocksRequest dataFrame = frames.get(1);
        BlockId id = Blocks.idOf(data);

        assertThatThrownBy(() -> send(async, List.of(dataFrame)))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> send(async, List.of(header(id, 999), dataFrame)))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> send(async, List.of(header(id, 1001), dataFrame)))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> send(async, List.of(header(id, 1001), dataFrame, frames.get(0))))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> send(async, List.of(PutBlocksRequest.newBuilder().setHeader(
                        BlockHeader.newBuilder().setBlockId(ByteString.copyFromUtf8("short")).setLength(1)).build())))
                .satisfies(t -> assertError(t, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT));
        assertThat(has(id)).isFalse();
    }

    @Test
    void callsWithoutAValidTokenAreUnauthenticated() {
        ChunkServiceGrpc.ChunkServiceBlockingStub bare = ChunkServiceGrpc.newBlockingStub(channel);
        StatRequest stat = StatRequest.getDefaultInstance();
        long future = System.currentTimeMillis() + 60_000;

        assertThatThrownBy(() -> bare.stat(stat))
                .satisfies(t -> assertError(t, Status.Code.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> withHeader(bare, ChunkAuthInterceptor.JOIN_TOKEN, "wrong").stat(stat))
                .satisfies(t -> assertError(t, Status.Code.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> withHeader(bare, ChunkAuthInterceptor.CHUNK_TOKEN,
                BlockAccessToken.mint("not-the-join-token", "alice", future)).stat(stat))
                .satisfies(t -> assertError(t, Status.Code.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> withHeader(bare, ChunkAuthInterceptor.CHUNK_TOKEN,
                BlockAccessToken.mint(JOIN, "alice", System.currentTimeMillis() - 1)).stat(stat))
                .satisfies(t -> assertError(t, Status.Code.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> send(ChunkServiceGrpc.newStub(channel), framesOf(Blocks.random(10))))
                .satisfies(t -> assertError(t, Status.Code.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED));

        StatResponse ok = withHeader(bare, ChunkAuthInterceptor.CHUNK_TOKEN, BlockAccessToken.mint(JOIN, "alice", future))
                .stat(stat);
        assertThat(ok.getNodeId()).isEqualTo(worker.nodeId());
    }

    @Test
    void chunkTokenIsEnoughToPutAndGet() throws Exception {
        ChunkServiceGrpc.ChunkServiceStub user = withHeader(ChunkServiceGrpc.newStub(channel),
                ChunkAuthInterceptor.CHUNK_TOKEN, BlockAccessToken.mint(JOIN, "alice", System.currentTimeMillis() + 60_000));
        byte[] data = Blocks.random(3000);
        send(user, framesOf(data));
        assertThat(get(Blocks.idOf(data))).isEqualTo(data);
    }

    @Test
    void deleteThenGetIsNotFound() throws Exception {
        byte[] data = Blocks.random(3000);
        put(data);
        BlockId id = Blocks.idOf(data);

        int deleted = blocking.deleteBlocks(DeleteBlocksRequest.newBuilder()
                .addBlockIds(ByteString.copyFrom(id.toBytes())).build()).getDeleted();

        assertThat(deleted).isEqualTo(1);
        assertThatThrownBy(() -> get(id)).satisfies(t -> assertError(t, Status.Code.NOT_FOUND, ErrorCode.NOT_FOUND));
        assertThat(has(id)).isFalse();
    }

    @Test
    void fullWorkerRefusesPutsWithNoSpaceAndKeepsServingReads() throws Exception {
        stop();
        startWorker(200_000);
        byte[] first = Blocks.random(150_000);
        put(first);

        assertThatThrownBy(() -> put(Blocks.random(100_000)))
                .satisfies(t -> assertError(t, Status.Code.RESOURCE_EXHAUSTED, ErrorCode.NO_SPACE));

        StatResponse stat = blocking.stat(StatRequest.getDefaultInstance());
        assertThat(stat.getReadOnly()).isTrue();
        assertThat(stat.getFreeBytes()).isZero();
        assertThat(get(Blocks.idOf(first))).isEqualTo(first);
    }

    @Test
    void nodeIdSurvivesRestartAndBlocksToo() throws Exception {
        byte[] data = Blocks.random(4096);
        put(data);
        String id = worker.nodeId();
        assertThat(worker.address()).isEqualTo("127.0.0.1:" + worker.port());

        stop();
        startWorker(0);

        assertThat(worker.nodeId()).isEqualTo(id);
        assertThat(get(Blocks.idOf(data))).isEqualTo(data);
    }
}
