package io.sklad.chunkstore.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
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

    /**
     * Opens one PutBlocks stream to the worker at {@code address} for many blocks: the peer appends them as
     * they come and acknowledges all of them after one group fsync at {@link PeerPut#finish()}.
     */
    public PeerPut openPut(String address) {
        return new PeerPut(address);
    }

    /** One PutBlocks stream to a peer. Not thread-safe: one sender. */
    public final class PeerPut implements AutoCloseable {
        private final String address;
        private final CompletableFuture<PutBlocksResponse> done;
        private final Semaphore ready;
        private final ClientCallStreamObserver<PutBlocksRequest> requests;
        private boolean finished;

        @SuppressWarnings("unchecked")
        private PeerPut(String address) {
            this.address = address;
            FlowControlledResponse<PutBlocksRequest, PutBlocksResponse> observer =
                    new FlowControlledResponse<>(PutBlocksResponse.getDefaultInstance());
            this.done = observer.done;
            this.ready = observer.ready;
            this.requests = (ClientCallStreamObserver<PutBlocksRequest>) ChunkServiceGrpc.newStub(channel(address))
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(authHeaders))
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .putBlocks(observer);
        }

        /** Sends one block, waiting while the stream is not ready (so at most a frame or two sit in memory). */
        public void send(BlockId id, byte[] data) throws IOException {
            frame(PutBlocksRequest.newBuilder().setHeader(BlockHeader.newBuilder()
                    .setBlockId(ByteString.copyFrom(id.toBytes())).setLength(data.length)).build());
            for (int off = 0; off < data.length; off += ChunkGrpcService.FRAME_BYTES) {
                int n = Math.min(ChunkGrpcService.FRAME_BYTES, data.length - off);
                frame(PutBlocksRequest.newBuilder().setData(UnsafeByteOperations.unsafeWrap(data, off, n)).build());
            }
        }

        private void frame(PutBlocksRequest frame) throws IOException {
            long until = System.nanoTime() + deadline.toNanos();
            while (!requests.isReady()) {
                if (done.isDone()) {
                    await(); // throws the call's failure
                    throw new IOException("put to " + address + " ended before the blocks were sent");
                }
                if (closed || System.nanoTime() > until) {
                    throw new IOException("put to " + address + " stalled");
                }
                try {
                    ready.tryAcquire(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while putting to " + address);
                }
            }
            requests.onNext(frame);
        }

        /** Ends the stream and waits for the peer's acknowledgement: the ids now durable there. */
        public Set<BlockId> finish() throws IOException {
            finished = true;
            requests.onCompleted();
            PutBlocksResponse response = await();
            Set<BlockId> stored = new HashSet<>();
            for (ByteString raw : response.getStoredList()) {
                if (raw.size() == BlockId.BYTES) {
                    stored.add(BlockId.of(raw.toByteArray()));
                }
            }
            return stored;
        }

        private PutBlocksResponse await() throws IOException {
            try {
                return done.get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException sre) {
                    throw new IOException("put to " + address + " failed: " + sre.getStatus().getCode() + " "
                            + sre.getStatus().getDescription(), sre);
                }
                throw new IOException("put to " + address + " failed", e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("put to " + address + " timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while putting to " + address);
            }
        }

        /** Abandons the stream unless it was finished: the peer stores none of its blocks. */
        @Override
        public void close() {
            if (!finished) {
                finished = true;
                requests.cancel("copy abandoned", null);
            }
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
