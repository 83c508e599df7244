package io.sklad.metadata;

import io.grpc.stub.StreamObserver;
import io.sklad.proto.v1.BlockReportRequest;
import io.sklad.proto.v1.BlockReportResponse;
import io.sklad.proto.v1.ClusterStatusRequest;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CommittedBlock;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.FindBlocksRequest;
import io.sklad.proto.v1.HeartbeatRequest;
import io.sklad.proto.v1.HeartbeatResponse;
import io.sklad.proto.v1.LiveNodesRequest;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeState;
import io.sklad.proto.v1.RegisterRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sklad.metadata.MasterFixture.blockId;
import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

class NodeServiceTest {
    @TempDir
    Path dir;
    MasterFixture m;

    @BeforeEach
    void start() {
        m = new MasterFixture(MasterConfig.defaults(dir).withListenPort(0)
                .withNodeTimeouts(Duration.ofMillis(600), Duration.ofMillis(1500)));
    }

    @AfterEach
    void stop() throws Exception {
        m.close();
    }

    private NodeState stateOf(String id) {
        return m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getNodesList().stream()
                .filter(n -> n.getNodeId().equals(id)).findFirst().orElseThrow().getState();
    }

    private HeartbeatResponse beat(String id) {
        return m.nodes().heartbeat(HeartbeatRequest.newBuilder().setNodeId(id).setCapacityBytes(100)
                .setFreeBytes(60).setUsedBytes(40).setBlockCount(3).build());
    }

    @Test
    void joinTokenRequired() {
        expectError(ErrorCode.UNAUTHENTICATED, () -> m.nodes("wrong").heartbeat(HeartbeatRequest.newBuilder()
                .setNodeId("x").build()));
    }

    @Test
    void registerHeartbeatAndStateTransitions() throws Exception {
        assertThat(beat("n1").getReregister()).isTrue();
        long interval = m.nodes().register(RegisterRequest.newBuilder().setNode(NodeInfo.newBuilder()
                .setNodeId("n1").setAddress("127.0.0.1:9001").putLabels("site", "office")).build())
                .getHeartbeatIntervalMillis();
        assertThat(interval).isPositive().isLessThan(600);
        HeartbeatResponse r = beat("n1");
        assertThat(r.getReregister()).isFalse();
        assertThat(r.getCommandsList()).isEmpty();
        assertThat(stateOf("n1")).isEqualTo(NodeState.ALIVE);
        NodeInfo live = m.ns().liveNodes(LiveNodesRequest.getDefaultInstance()).getNodes(0);
        assertThat(live.getFreeBytes()).isEqualTo(60);
        assertThat(live.getLabelsMap()).containsEntry("site", "office");

        // address may change on re-registration
        m.nodes().register(RegisterRequest.newBuilder().setNode(NodeInfo.newBuilder().setNodeId("n1")
                .setAddress("10.0.0.5:9001")).build());
        assertThat(m.ns().liveNodes(LiveNodesRequest.getDefaultInstance()).getNodes(0).getAddress())
                .isEqualTo("10.0.0.5:9001");

        Thread.sleep(700);
        assertThat(stateOf("n1")).isEqualTo(NodeState.SUSPECT);
        assertThat(m.ns().liveNodes(LiveNodesRequest.getDefaultInstance()).getNodesList()).isEmpty();
        Thread.sleep(900);
        assertThat(stateOf("n1")).isEqualTo(NodeState.DEAD);
        beat("n1");
        assertThat(stateOf("n1")).isEqualTo(NodeState.ALIVE);
    }

    @Test
    void replicationAboveAliveNodesIsRefused() {
        m.registerNode("a");
        m.registerNode("b");
        var d = expectError(ErrorCode.INVALID_ARGUMENT, () -> m.ns().createVolume(CreateVolumeRequest.newBuilder()
                .setName("five").setReplicas(5).build()));
        assertThat(d.getMessage()).contains("5").contains("2");
        expectError(ErrorCode.INVALID_ARGUMENT, () -> m.ns().createVolume(CreateVolumeRequest.newBuilder()
                .setName("default3").build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> m.ns().createVolume(CreateVolumeRequest.newBuilder()
                .setName("odd").setReplicas(2).setBlockSize(100_000).build()));
        var v = m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("two").setReplicas(2).build())
                .getVolume();
        assertThat(v.getBlockSize()).isEqualTo(65536);
        assertThat(v.getWriteQuorum()).isEqualTo(2);
        expectError(ErrorCode.ALREADY_EXISTS, () -> m.ns().createVolume(CreateVolumeRequest.newBuilder()
                .setName("two").setReplicas(1).build()));
    }

    private BlockReportResponse report(String node, List<List<com.google.protobuf.ByteString>> frames) throws Exception {
        CompletableFuture<BlockReportResponse> done = new CompletableFuture<>();
        StreamObserver<BlockReportRequest> in = m.nodesAsync().blockReport(new StreamObserver<>() {
            @Override
            public void onNext(BlockReportResponse v) {
                done.complete(v);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        boolean first = true;
        for (List<com.google.protobuf.ByteString> frame : frames) {
            BlockReportRequest.Builder b = BlockReportRequest.newBuilder().addAllBlockIds(frame);
            if (first) {
                b.setNodeId(node);
                first = false;
            }
            in.onNext(b.build());
        }
        in.onCompleted();
        return done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void blockReportReconcilesReplicas() throws Exception {
        m.registerNode("a");
        m.registerNode("b");
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("v").setReplicas(2).build());
        Entry f = m.ns().createFile(CreateFileRequest.newBuilder().setVolume("v").setPath("/f").build()).getEntry();
        m.ns().commitVersion(CommitVersionRequest.newBuilder().setVolume("v").setInode(f.getInode())
                .setBaseVersion(f.getVersion()).setSize(2 * 65536)
                .addBlocks(CommittedBlock.newBuilder().setIndex(0).setBlockId(blockId("x0")).setStoredLength(100)
                        .addNodeIds("a").addNodeIds("b"))
                .addBlocks(CommittedBlock.newBuilder().setIndex(1).setBlockId(blockId("x1")).setStoredLength(100)
                        .addNodeIds("a").addNodeIds("b"))
                .build());
        Thread.sleep(400); // past the heartbeat interval (200 ms here) a report gives rows it did not list
        // node a lost x1, has x0, and holds two blocks the master never heard of; b now also holds nothing new
        BlockReportResponse r = report("a", List.of(List.of(blockId("x0"), blockId("junk1")), List.of(blockId("junk2"))));
        assertThat(r.getKnown()).isEqualTo(1);
        assertThat(r.getUnknown()).isEqualTo(2);
        var found = m.ns().findBlocks(FindBlocksRequest.newBuilder().addBlockIds(blockId("x0"))
                .addBlockIds(blockId("x1")).build()).getFoundList();
        assertThat(found.get(0).getReplicasList()).extracting(NodeInfo::getNodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(found.get(1).getReplicasList()).extracting(NodeInfo::getNodeId).containsExactly("b");
        assertThat(m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getUnderReplicated()).isEqualTo(1);

        // a report can also add a replica the master did not know about
        report("a", List.of(List.of(blockId("x0"), blockId("x1"))));
        assertThat(m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getUnderReplicated()).isZero();

        expectError(ErrorCode.NOT_FOUND, () -> {
            try {
                report("stranger", List.of(List.of(blockId("x0"))));
            } catch (java.util.concurrent.ExecutionException e) {
                throw (RuntimeException) e.getCause();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
