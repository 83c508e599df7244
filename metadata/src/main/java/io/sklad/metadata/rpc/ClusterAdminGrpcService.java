package io.sklad.metadata.rpc;

import io.grpc.stub.StreamObserver;
import io.sklad.metadata.node.NodeAdministration;
import io.sklad.metadata.node.NodeAdministration.NodeUsage;
import io.sklad.proto.v1.ClusterAdminServiceGrpc;
import io.sklad.proto.v1.DrainNodeRequest;
import io.sklad.proto.v1.DrainNodeResponse;
import io.sklad.proto.v1.ListNodesRequest;
import io.sklad.proto.v1.ListNodesResponse;
import io.sklad.proto.v1.RemoveNodeRequest;
import io.sklad.proto.v1.RemoveNodeResponse;
import io.sklad.proto.v1.SetVolumeRetentionRequest;
import io.sklad.proto.v1.SetVolumeRetentionResponse;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;

import java.time.Duration;

/** ClusterAdminService: each call resolves the caller and makes one {@link NodeAdministration} call. */
public final class ClusterAdminGrpcService extends ClusterAdminServiceGrpc.ClusterAdminServiceImplBase {
    private final NodeAdministration nodes;

    public ClusterAdminGrpcService(NodeAdministration nodes) {
        this.nodes = nodes;
    }

    @Override
    public void listNodes(ListNodesRequest r, StreamObserver<ListNodesResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
            for (NodeUsage u : nodes.list(CallerContext.current())) {
                b.addNodes(ProtoMapping.node(u.node())).addUsage(usage(u));
            }
            return b.build();
        });
    }

    @Override
    public void drainNode(DrainNodeRequest r, StreamObserver<DrainNodeResponse> out) {
        GrpcErrors.unary(out, () -> {
            NodeUsage u = nodes.drain(CallerContext.current(), r.getNodeId(), r.getCancel());
            return DrainNodeResponse.newBuilder().setNode(ProtoMapping.node(u.node()))
                    .setBlocksToMove(u.blocksOnlyHere()).build();
        });
    }

    @Override
    public void removeNode(RemoveNodeRequest r, StreamObserver<RemoveNodeResponse> out) {
        GrpcErrors.unary(out, () -> {
            nodes.remove(CallerContext.current(), r.getNodeId());
            return RemoveNodeResponse.getDefaultInstance();
        });
    }

    @Override
    public void setVolumeRetention(SetVolumeRetentionRequest r, StreamObserver<SetVolumeRetentionResponse> out) {
        GrpcErrors.unary(out, () -> {
            if (r.getRetentionSeconds() < 0) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "retention must not be negative", r.getVolume());
            }
            return SetVolumeRetentionResponse.newBuilder().setVolume(ProtoMapping.volume(nodes.setRetention(
                    CallerContext.current(), r.getVolume(), Duration.ofSeconds(r.getRetentionSeconds())))).build();
        });
    }

    private static io.sklad.proto.v1.NodeUsage usage(NodeUsage u) {
        return io.sklad.proto.v1.NodeUsage.newBuilder().setNodeId(u.node().nodeId()).setBlocks(u.blocks())
                .setBlocksOnlyHere(u.blocksOnlyHere()).build();
    }
}
