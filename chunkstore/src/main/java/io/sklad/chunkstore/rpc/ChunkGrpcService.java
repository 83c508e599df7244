package io.sklad.chunkstore.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.BlockStats;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.chunkstore.store.CorruptBlockException;
import io.sklad.proto.v1.BlockHeader;
import io.sklad.proto.v1.BlockUnavailable;
import io.sklad.proto.v1.ChunkServiceGrpc;
import io.sklad.proto.v1.DeleteBlocksRequest;
import io.sklad.proto.v1.DeleteBlocksResponse;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.GetBlockRequest;
import io.sklad.proto.v1.GetBlockResponse;
import io.sklad.proto.v1.GetBlocksRequest;
import io.sklad.proto.v1.GetBlocksResponse;
import io.sklad.proto.v1.HasBlocksRequest;
import io.sklad.proto.v1.HasBlocksResponse;
import io.sklad.proto.v1.PutBlocksRequest;
import io.sklad.proto.v1.PutBlocksResponse;
import io.sklad.proto.v1.StatRequest;
import io.sklad.proto.v1.StatResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@code ChunkService} over a {@link BlockStore}. Block bytes move in frames of at
 * most {@link #FRAME_BYTES}; a put stream holds at most one block in memory.
 */
public final class ChunkGrpcService extends ChunkServiceGrpc.ChunkServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ChunkGrpcService.class);

    /** Largest data frame in either direction. */
    public static final int FRAME_BYTES = 1024 * 1024;
    /** Most block ids one GetBlocks call may ask for. */
    public static final int MAX_GET_BLOCKS = 1024;

    private final BlockStore store;
    private final String nodeId;

    public ChunkGrpcService(BlockStore store, String nodeId) {
        this.store = Objects.requireNonNull(store, "store");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    @Override
    public StreamObserver<PutBlocksRequest> putBlocks(StreamObserver<PutBlocksResponse> responses) {
        return new PutStream(responses);
    }

    /** One PutBlocks stream: header, data frames, header, ... then one commit. */
    private final class PutStream implements StreamObserver<PutBlocksRequest> {
        private final StreamObserver<PutBlocksResponse> responses;
        private final BlockStore.Batch batch = store.newBatch();
        private BlockId blockId;
        private byte[] buffer;
        private int filled;
        private boolean finished;

        PutStream(StreamObserver<PutBlocksResponse> responses) {
            this.responses = responses;
        }

        @Override
        public void onNext(PutBlocksRequest request) {
            if (finished) {
                return;
            }
            try {
                switch (request.getPartCase()) {
                    case HEADER -> onHeader(request.getHeader());
                    case DATA -> onData(request.getData());
                    default -> throw invalid("empty PutBlocks frame");
                }
            } catch (CorruptBlockException e) {
                // Blocks before the bad one are already appended: keep them rather than waste the bytes.
                commitQuietly();
                fail(e);
            } catch (Exception e) {
                fail(e);
            }
        }

        private void onHeader(BlockHeader header) throws IOException {
            if (blockId != null) {
                throw invalid("block " + blockId + " got " + filled + " of " + buffer.length
                        + " bytes before the next header");
            }
            if (header.getBlockId().size() != BlockId.BYTES) {
                throw invalid("block_id must be 32 bytes, got " + header.getBlockId().size());
            }
            long length = header.getLength();
            if (length < 0 || length > BlockStore.MAX_BLOCK_BYTES) {
                throw invalid("block length " + length + " is outside 0.." + BlockStore.MAX_BLOCK_BYTES);
            }
            blockId = BlockId.of(header.getBlockId().toByteArray());
            buffer = new byte[(int) length];
            filled = 0;
            if (length == 0) {
                storeBlock();
            }
        }

        private void onData(ByteString data) throws IOException {
            if (blockId == null) {
                throw invalid("data frame without a block header");
            }
            if (data.size() > FRAME_BYTES) {
                throw invalid("data frame of " + data.size() + " bytes exceeds " + FRAME_BYTES);
            }
            if (data.size() > buffer.length - filled) {
                throw invalid("block " + blockId + " declared " + buffer.length + " bytes but more arrived");
            }
            data.copyTo(buffer, filled);
            filled += data.size();
            if (filled == buffer.length) {
                storeBlock();
            }
        }

        private void storeBlock() throws IOException {
            BlockId id = blockId;
            byte[] bytes = buffer;
            blockId = null;
            buffer = null;
            batch.put(id, bytes, 0, bytes.length);
        }

        @Override
        public void onError(Throwable t) {
            finished = true;
            batch.close();
            log.debug("PutBlocks stream ended by the client: {}", t.toString());
        }

        @Override
        public void onCompleted() {
            if (finished) {
                return;
            }
            try {
                if (blockId != null) {
                    throw invalid("stream ended inside block " + blockId + ": " + filled + " of "
                            + buffer.length + " bytes");
                }
                BlockStore.BatchResult result = batch.commit();
                PutBlocksResponse.Builder response = PutBlocksResponse.newBuilder()
                        .setBytesWritten(result.bytesWritten());
                for (BlockId id : result.stored()) {
                    response.addStored(ByteString.copyFrom(id.toBytes()));
                }
                finished = true;
                responses.onNext(response.build());
                responses.onCompleted();
            } catch (Exception e) {
                fail(e);
            }
        }

        private void commitQuietly() {
            try {
                batch.commit();
            } catch (IOException | RuntimeException e) {
                log.debug("commit before failing the stream failed: {}", e.toString());
            }
        }

        private void fail(Exception e) {
            finished = true;
            buffer = null;
            batch.close();
            responses.onError(GrpcErrors.fromException(e));
        }
    }

    @Override
    public void getBlock(GetBlockRequest request, StreamObserver<GetBlockResponse> responses) {
        byte[] data;
        try {
            // Read whole (at most one block) so nothing unverified is ever sent.
            data = store.get(blockId(request.getBlockId()));
        } catch (Exception e) {
            responses.onError(GrpcErrors.fromException(e));
            return;
        }
        int offset = 0;
        do {
            int n = Math.min(FRAME_BYTES, data.length - offset);
            GetBlockResponse.Builder frame = GetBlockResponse.newBuilder().setData(frame(data, offset, n));
            if (offset == 0) {
                frame.setLength(data.length);
            }
            responses.onNext(frame.build());
            offset += n;
        } while (offset < data.length);
        responses.onCompleted();
    }

    @Override
    public void getBlocks(GetBlocksRequest request, StreamObserver<GetBlocksResponse> responses) {
        List<BlockId> ids = new ArrayList<>(request.getBlockIdsCount());
        try {
            if (request.getBlockIdsCount() > MAX_GET_BLOCKS) {
                throw invalid("at most " + MAX_GET_BLOCKS + " block ids per GetBlocks, got "
                        + request.getBlockIdsCount());
            }
            for (ByteString raw : request.getBlockIdsList()) {
                ids.add(blockId(raw));
            }
        } catch (Exception e) {
            responses.onError(GrpcErrors.fromException(e));
            return;
        }
        BlocksSender sender = new BlocksSender(ids, (ServerCallStreamObserver<GetBlocksResponse>) responses);
        ((ServerCallStreamObserver<GetBlocksResponse>) responses).setOnReadyHandler(sender);
        sender.run();
    }

    /**
     * Sends the blocks of one GetBlocks call as the client takes them (flow control): at most one block beyond
     * what the transport is ready for is read into memory, however many the call asks for.
     */
    private final class BlocksSender implements Runnable {
        private final List<BlockId> ids;
        private final ServerCallStreamObserver<GetBlocksResponse> out;
        private int next;
        private boolean done;

        BlocksSender(List<BlockId> ids, ServerCallStreamObserver<GetBlocksResponse> out) {
            this.ids = ids;
            this.out = out;
        }

        @Override
        public synchronized void run() {
            while (!done && out.isReady()) {
                if (out.isCancelled()) {
                    done = true;
                } else if (next == ids.size()) {
                    done = true;
                    out.onCompleted();
                } else {
                    send(ids.get(next++));
                }
            }
        }

        private void send(BlockId id) {
            byte[] data;
            try {
                // Read whole (at most one block) so nothing unverified is ever sent.
                data = store.get(id);
            } catch (Exception e) {
                // one bad or missing block must not cost the client the others: it reads this one elsewhere
                log.debug("GetBlocks: block {} not served: {}", id, e.toString());
                BlockUnavailable.Builder unavailable = BlockUnavailable.newBuilder()
                        .setBlockId(ByteString.copyFrom(id.toBytes()));
                var detail = GrpcErrors.detailOf(GrpcErrors.fromException(e));
                if (detail != null) {
                    unavailable.setError(detail);
                }
                out.onNext(GetBlocksResponse.newBuilder().setUnavailable(unavailable).build());
                return;
            }
            out.onNext(GetBlocksResponse.newBuilder().setHeader(BlockHeader.newBuilder()
                    .setBlockId(ByteString.copyFrom(id.toBytes())).setLength(data.length)).build());
            for (int offset = 0; offset < data.length; offset += FRAME_BYTES) {
                out.onNext(GetBlocksResponse.newBuilder()
                        .setData(frame(data, offset, Math.min(FRAME_BYTES, data.length - offset))).build());
            }
        }
    }

    /** A frame of a block read for sending: the array is never written again, so frames share it. */
    private static ByteString frame(byte[] data, int offset, int length) {
        return UnsafeByteOperations.unsafeWrap(data, offset, length);
    }

    @Override
    public void hasBlocks(HasBlocksRequest request, StreamObserver<HasBlocksResponse> responses) {
        try {
            HasBlocksResponse.Builder response = HasBlocksResponse.newBuilder();
            for (ByteString raw : request.getBlockIdsList()) {
                if (store.has(blockId(raw))) {
                    response.addPresent(raw);
                }
            }
            responses.onNext(response.build());
            responses.onCompleted();
        } catch (Exception e) {
            responses.onError(GrpcErrors.fromException(e));
        }
    }

    @Override
    public void deleteBlocks(DeleteBlocksRequest request, StreamObserver<DeleteBlocksResponse> responses) {
        try {
            List<BlockId> ids = new ArrayList<>(request.getBlockIdsCount());
            for (ByteString raw : request.getBlockIdsList()) {
                ids.add(blockId(raw));
            }
            int deleted = store.delete(ids);
            responses.onNext(DeleteBlocksResponse.newBuilder().setDeleted(deleted).build());
            responses.onCompleted();
        } catch (Exception e) {
            responses.onError(GrpcErrors.fromException(e));
        }
    }

    @Override
    public void stat(StatRequest request, StreamObserver<StatResponse> responses) {
        BlockStats s = store.stats();
        responses.onNext(StatResponse.newBuilder()
                .setNodeId(nodeId)
                .setCapacityBytes(s.capacityBytes())
                .setUsedBytes(s.usedBytes())
                .setFreeBytes(s.freeBytes())
                .setBlockCount(s.blockCount())
                .setReadOnly(s.readOnly())
                .build());
        responses.onCompleted();
    }

    private static BlockId blockId(ByteString raw) {
        if (raw.size() != BlockId.BYTES) {
            throw new IllegalArgumentException("block_id must be 32 bytes, got " + raw.size());
        }
        return BlockId.of(raw.toByteArray());
    }

    private static RuntimeException invalid(String message) {
        return GrpcErrors.error(ErrorCode.INVALID_ARGUMENT, message);
    }
}
