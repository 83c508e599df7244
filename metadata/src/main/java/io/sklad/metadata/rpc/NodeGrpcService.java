package io.sklad.metadata.rpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.sklad.metadata.node.NodeCommandQueue;
import io.sklad.metadata.node.ReplicationListener;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.HeartbeatResult;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.NodeStats;
import io.sklad.metadata.store.ReportCounts;
import io.sklad.proto.v1.BlockReportRequest;
import io.sklad.proto.v1.BlockReportResponse;
import io.sklad.proto.v1.CopyBlocksResult;
import io.sklad.proto.v1.HeartbeatRequest;
import io.sklad.proto.v1.HeartbeatResponse;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeServiceGrpc;
import io.sklad.proto.v1.RegisterRequest;
import io.sklad.proto.v1.RegisterResponse;
import io.sklad.proto.v1.ReplicationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** NodeService: worker registration, heartbeats and streamed block reports. */
public final class NodeGrpcService extends NodeServiceGrpc.NodeServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NodeGrpcService.class);

    private final MetadataStore store;
    private final NodeCommandQueue commands;
    private final ReplicationListener replications;
    private final Duration heartbeatInterval;
    private final Clock clock;

    public NodeGrpcService(MetadataStore store, NodeCommandQueue commands, Duration heartbeatInterval, Clock clock) {
        this(store, commands, ReplicationListener.NONE, heartbeatInterval, clock);
    }

    /** With {@code replications} told how the copies a worker reports in its heartbeats turned out. */
    public NodeGrpcService(MetadataStore store, NodeCommandQueue commands, ReplicationListener replications,
                           Duration heartbeatInterval, Clock clock) {
        this.store = store;
        this.commands = commands;
        this.replications = replications;
        this.heartbeatInterval = heartbeatInterval;
        this.clock = clock;
    }

    @Override
    public void register(RegisterRequest r, StreamObserver<RegisterResponse> out) {
        GrpcErrors.unary(out, () -> {
            NodeInfo n = r.getNode();
            store.registerNode(n.getNodeId(), n.getAddress(), n.getLabelsMap(), new NodeStats(n.getCapacityBytes(),
                    n.getUsedBytes(), n.getFreeBytes(), n.getBlockCount(), n.getReadOnly()));
            LOG.info("node {} registered at {}", n.getNodeId(), n.getAddress());
            return RegisterResponse.newBuilder().setHeartbeatIntervalMillis(heartbeatInterval.toMillis()).build();
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest r, StreamObserver<HeartbeatResponse> out) {
        GrpcErrors.unary(out, () -> {
            HeartbeatResult result = store.heartbeat(r.getNodeId(), new NodeStats(r.getCapacityBytes(),
                    r.getUsedBytes(), r.getFreeBytes(), r.getBlockCount(), r.getReadOnly()));
            if (!result.known()) {
                return HeartbeatResponse.newBuilder().setReregister(true).build();
            }
            for (ByteString bad : r.getCorruptBlocksList()) {
                BlockId id = ProtoMapping.blockId(bad);
                LOG.warn("node {} found block {} corrupt", r.getNodeId(), id);
                store.dropReplica(id, r.getNodeId());
            }
            for (CopyBlocksResult done : r.getCopiesList()) {
                replications.copied(r.getNodeId(), new ReplicationListener.CopyResult(done.getTaskId(),
                        done.getTargetNodeId(), ids(done.getCopiedList()), ids(done.getFailedList()),
                        ids(done.getSourceMissingList())));
            }
            for (ReplicationResult done : r.getReplicationsList()) {
                // a single-block copy (ReplicateCommand) as a task of one, from a worker that still had one queued
                List<BlockId> one = List.of(ProtoMapping.blockId(done.getBlockId()));
                replications.copied(r.getNodeId(), new ReplicationListener.CopyResult(0, done.getTargetNodeId(),
                        done.getFailed() ? List.of() : one, done.getFailed() && !done.getSourceMissing() ? one : List.of(),
                        done.getSourceMissing() ? one : List.of()));
            }
            HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder();
            commands.drain(r.getNodeId()).forEach(c -> b.addCommands(ProtoMapping.command(c)));
            return b.build();
        });
    }

    private static List<BlockId> ids(List<ByteString> raw) {
        List<BlockId> out = new ArrayList<>(raw.size());
        raw.forEach(b -> out.add(ProtoMapping.blockId(b)));
        return out;
    }

    @Override
    public StreamObserver<BlockReportRequest> blockReport(StreamObserver<BlockReportResponse> out) {
        return new StreamObserver<>() {
            private String nodeId;
            private long generation;
            private long startedMillis;
            private ReportCounts counts = new ReportCounts(0, 0);
            private boolean failed;

            @Override
            public void onNext(BlockReportRequest frame) {
                if (failed) {
                    return;
                }
                try {
                    if (nodeId == null) {
                        if (frame.getNodeId().isEmpty()) {
                            throw new MetadataException(MetaError.INVALID_ARGUMENT, "first frame must carry node_id");
                        }
                        nodeId = frame.getNodeId();
                        startedMillis = clock.millis();
                        generation = store.beginBlockReport(nodeId);
                    }
                    List<BlockId> ids = new ArrayList<>(frame.getBlockIdsCount());
                    frame.getBlockIdsList().forEach(b -> ids.add(ProtoMapping.blockId(b)));
                    counts = counts.plus(store.addReportedBlocks(nodeId, generation, ids));
                } catch (RuntimeException e) {
                    failed = true;
                    out.onError(GrpcErrors.toStatus(e));
                }
            }

            @Override
            public void onError(Throwable t) {
                // an interrupted report confirms nothing: the node's rows stay as they were
                LOG.info("block report from node {} aborted: {}", nodeId, t.toString());
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                GrpcErrors.unary(out, () -> {
                    if (nodeId == null) {
                        throw new MetadataException(MetaError.INVALID_ARGUMENT, "empty block report");
                    }
                    // Only rows older than the report's start by a heartbeat interval are forgotten: a copy
                    // stored and committed just as the worker began listing (its list is weakly consistent
                    // with puts) must not be. One that really went missing then is caught by the next report.
                    store.finishBlockReport(nodeId, generation, startedMillis - heartbeatInterval.toMillis());
                    LOG.info("block report from node {}: {} known, {} unknown", nodeId, counts.known(),
                            counts.unknown());
                    return BlockReportResponse.newBuilder().setKnown(counts.known()).setUnknown(counts.unknown())
                            .build();
                });
            }
        };
    }
}
