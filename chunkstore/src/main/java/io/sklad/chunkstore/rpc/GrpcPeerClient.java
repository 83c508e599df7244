package io.sklad.chunkstore.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.proto.v1.BlockHeader;
import io.sklad.proto.v1.ChunkServiceGrpc;
import io.sklad.proto.v1.PutBlocksRequest;
import io.sklad.proto.v1.PutBlocksResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Worker-to-worker client: pushes blocks to other workers' ChunkService with the cluster join
 * token. One shared channel per peer address, closed with the client.
 */
public final class GrpcPeerClient implements AutoCloseable {
    private final Metadata authHeaders = new Metadata();
    private final Duration deadline;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public GrpcPeerClient(String joinToken, Duration deadline) {
        authHeaders.put(ChunkAuthInterceptor.JOIN_TOKEN, joinToken);
        this.deadline = deadline;
    }

    /**
     * Stores one block on the worker at {@code address} (host:port) and waits for its durable
     * acknowledgement.
     *
     * @throws StatusRuntimeException the peer refused the block
     */
    public void putBlock(String address, BlockId id, byte[] data) throws IOException {
        CompletableFuture<PutBlocksResponse> done = new CompletableFuture<>();
        StreamObserver<PutBlocksRequest> requests = ChunkServiceGrpc.newStub(channel(address))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(authHeaders))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
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
                        done.complete(PutBlocksResponse.getDefaultInstance());
                    }
                });
        requests.onNext(PutBlocksRequest.newBuilder().setHeader(BlockHeader.newBuilder()
                .setBlockId(ByteString.copyFrom(id.toBytes())).setLength(data.length)).build());
        for (int off = 0; off < data.length; off += ChunkGrpcService.FRAME_BYTES) {
            int n = Math.min(ChunkGrpcService.FRAME_BYTES, data.length - off);
            requests.onNext(PutBlocksRequest.newBuilder().setData(UnsafeByteOperations.unsafeWrap(data, off, n)).build());
        }
        requests.onCompleted();
        try {
            done.get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException sre) {
                throw sre;
            }
            throw new IOException("put to " + address + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("put to " + address + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while putting to " + address);
        }
    }

    private ManagedChannel channel(String address) {
        if (closed) {
            throw new IllegalStateException("peer client closed");
        }
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
                .usePlaintext()
                .maxInboundMessageSize(ChunkGrpcService.FRAME_BYTES + 64 * 1024)
                .build());
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel c : channels.values()) {
            c.shutdown();
        }
        for (ManagedChannel c : channels.values()) {
            try {
                if (!c.awaitTermination(2, TimeUnit.SECONDS)) {
                    c.shutdownNow();
                }
            } catch (InterruptedException e) {
                c.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
    }
}
