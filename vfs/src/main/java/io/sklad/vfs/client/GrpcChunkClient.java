package io.sklad.vfs.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sklad.proto.v1.BlockHeader;
import io.sklad.proto.v1.ChunkServiceGrpc;
import io.sklad.proto.v1.GetBlockRequest;
import io.sklad.proto.v1.GetBlockResponse;
import io.sklad.proto.v1.GetBlocksRequest;
import io.sklad.proto.v1.GetBlocksResponse;
import io.sklad.proto.v1.HasBlocksRequest;
import io.sklad.proto.v1.PutBlocksRequest;
import io.sklad.proto.v1.PutBlocksResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link ChunkClient} over gRPC: one cached channel per worker address, the block access token as
 * {@code sklad-chunk-token} metadata, a deadline on every call, block bytes in frames of at most 1 MiB.
 */
public final class GrpcChunkClient implements ChunkClient {

    static final int FRAME = 1024 * 1024;
    /** The largest stored block we accept: 4 MiB blocks plus header room. */
    static final int MAX_BLOCK = 4 * 1024 * 1024 + 64 * 1024;
    private static final Metadata.Key<String> CHUNK_TOKEN =
            Metadata.Key.of("sklad-chunk-token", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Function<String, ManagedChannel> channelFactory;
    private final Supplier<String> token;
    private final Duration timeout;
    private final ClientInterceptor tokenInterceptor;

    /** @param token supplies the current block access token (it changes on re-login) */
    public GrpcChunkClient(Supplier<String> token, Duration timeout) {
        this(address -> ManagedChannelBuilder.forTarget(address).usePlaintext()
                .maxInboundMessageSize(2 * FRAME).build(), token, timeout);
    }

    /** With a custom channel factory (in-process tests); the client owns and closes the channels. */
    public GrpcChunkClient(Function<String, ManagedChannel> channelFactory, Supplier<String> token,
                           Duration timeout) {
        this.channelFactory = channelFactory;
        this.token = token;
        this.timeout = timeout;
        this.tokenInterceptor = new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        String t = GrpcChunkClient.this.token.get();
                        if (t != null && !t.isEmpty()) {
                            headers.put(CHUNK_TOKEN, t);
                        }
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    private Channel channel(String address) {
        return channels.computeIfAbsent(address, channelFactory);
    }

    private ChunkServiceGrpc.ChunkServiceStub async(String address, Duration deadline) {
        return ChunkServiceGrpc.newStub(channel(address)).withInterceptors(tokenInterceptor)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ChunkServiceGrpc.ChunkServiceBlockingStub blocking(String address) {
        return blocking(address, timeout);
    }

    private ChunkServiceGrpc.ChunkServiceBlockingStub blocking(String address, Duration deadline) {
        return ChunkServiceGrpc.newBlockingStub(channel(address)).withInterceptors(tokenInterceptor)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The base timeout plus a second per 8 MiB: a call moving many blocks gets longer. */
    private Duration deadlineFor(long bytes) {
        return timeout.plusMillis(bytes / (8L * 1024 * 1024) * 1000);
    }

    @Override
    public CompletableFuture<Set<BlockId>> putBlocks(String address, List<SealedBlock> batch) {
        CompletableFuture<Set<BlockId>> result = new CompletableFuture<>();
        if (batch.isEmpty()) {
            result.complete(Set.of());
            return result;
        }
        Duration deadline = deadlineFor(batch.stream().mapToLong(SealedBlock::length).sum());
        StreamObserver<PutBlocksResponse> responses = new StreamObserver<>() {
            @Override
            public void onNext(PutBlocksResponse r) {
                Set<BlockId> stored = new HashSet<>();
                r.getStoredList().forEach(b -> stored.add(BlockId.of(b.toByteArray())));
                result.complete(stored);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(GrpcErrors.map(t, null, "worker " + address));
            }

            @Override
            public void onCompleted() {
                result.complete(Set.of());
            }
        };
        try {
            StreamObserver<PutBlocksRequest> requests = async(address, deadline).putBlocks(responses);
            try {
                for (SealedBlock block : batch) {
                    ByteBuffer data = block.stored().duplicate();
                    requests.onNext(PutBlocksRequest.newBuilder().setHeader(BlockHeader.newBuilder()
                            .setBlockId(ByteString.copyFrom(block.id().toBytes())).setLength(data.remaining())).build());
                    while (data.hasRemaining()) {
                        ByteBuffer frame = data.slice();
                        frame.limit(Math.min(FRAME, data.remaining()));
                        data.position(data.position() + frame.remaining());
                        // a sealed block is never written again: frames share its bytes (three replicas
                        // copied each block three times more, and the copies were garbage at once)
                        requests.onNext(PutBlocksRequest.newBuilder()
                                .setData(UnsafeByteOperations.unsafeWrap(frame)).build());
                    }
                }
                requests.onCompleted();
            } catch (RuntimeException e) {
                requests.onError(e);
                throw e;
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(GrpcErrors.map(e, null, "worker " + address));
        }
        return result;
    }

    @Override
    public byte[] getBlock(String address, BlockId id) throws IOException {
        try {
            Iterator<GetBlockResponse> it = blocking(address)
                    .getBlock(GetBlockRequest.newBuilder().setBlockId(ByteString.copyFrom(id.toBytes())).build());
            byte[] out = null;
            int filled = 0;
            while (it.hasNext()) {
                GetBlockResponse r = it.next();
                if (out == null) {
                    long length = r.getLength();
                    if (length < 0 || length > MAX_BLOCK) {
                        throw new IOException("worker " + address + " announced block " + id.shortHex()
                                + " of " + length + " bytes");
                    }
                    out = new byte[(int) length];
                }
                ByteString data = r.getData();
                if (filled + data.size() > out.length) {
                    throw new IOException("worker " + address + " sent more bytes than announced for block "
                            + id.shortHex());
                }
                data.copyTo(out, filled);
                filled += data.size();
            }
            if (out == null || filled != out.length) {
                throw new IOException("worker " + address + " sent a short block " + id.shortHex());
            }
            return out;
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.map(e, null, "block " + id.shortHex() + " on " + address);
        }
    }

    @Override
    public void getBlocks(String address, List<BlockId> ids, BlockSink sink) throws IOException {
        if (ids.isEmpty()) {
            return;
        }
        GetBlocksRequest.Builder request = GetBlocksRequest.newBuilder();
        ids.forEach(id -> request.addBlockIds(ByteString.copyFrom(id.toBytes())));
        Set<BlockId> asked = new HashSet<>(ids);
        // a context of its own, so a stream this reader gives up on is cancelled at once, not left to its deadline
        Context.CancellableContext call = Context.current().withCancellation();
        Context previous = call.attach();
        BlockId current = null;
        byte[] out = null;
        int filled = 0;
        try {
            // the blocking iterator takes frames as this thread reads them and the worker sends only while the
            // transport is ready: at most a flow-control window runs ahead of this reader, however long the run
            Iterator<GetBlocksResponse> it = blocking(address, deadlineFor((long) ids.size() * MAX_BLOCK))
                    .getBlocks(request.build());
            while (it.hasNext()) {
                GetBlocksResponse r = it.next();
                switch (r.getPartCase()) {
                    case HEADER -> {
                        if (current != null) {
                            throw new IOException("worker " + address + " sent a short block " + current.shortHex());
                        }
                        current = BlockId.of(r.getHeader().getBlockId().toByteArray());
                        long length = r.getHeader().getLength();
                        if (!asked.contains(current) || length < 0 || length > MAX_BLOCK) {
                            throw new IOException("worker " + address + " announced block " + current.shortHex()
                                    + " of " + length + " bytes, which was not asked for or is impossible");
                        }
                        out = new byte[(int) length];
                        filled = 0;
                    }
                    case DATA -> {
                        ByteString data = r.getData();
                        if (current == null || filled + data.size() > out.length) {
                            throw new IOException("worker " + address + " sent bytes beyond the blocks announced");
                        }
                        data.copyTo(out, filled);
                        filled += data.size();
                    }
                    case UNAVAILABLE -> {
                        if (current != null) {
                            throw new IOException("worker " + address + " sent a short block " + current.shortHex());
                        }
                        continue;
                    }
                    default -> throw new IOException("worker " + address + " sent an empty GetBlocks frame");
                }
                if (current != null && filled == out.length) {
                    sink.accept(current, out);
                    current = null;
                    out = null;
                }
            }
            if (current != null) {
                throw new IOException("worker " + address + " sent a short block " + current.shortHex());
            }
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.map(e, null, "blocks on " + address);
        } finally {
            call.detach(previous);
            call.cancel(null);
        }
    }

    @Override
    public Set<BlockId> hasBlocks(String address, Collection<BlockId> ids) throws IOException {
        HasBlocksRequest.Builder b = HasBlocksRequest.newBuilder();
        ids.forEach(id -> b.addBlockIds(ByteString.copyFrom(id.toBytes())));
        try {
            Set<BlockId> present = new HashSet<>();
            blocking(address).hasBlocks(b.build()).getPresentList()
                    .forEach(p -> present.add(BlockId.of(p.toByteArray())));
            return present;
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.map(e, null, "worker " + address);
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel c : channels.values()) {
            try {
                if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
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
