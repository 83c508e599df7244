package io.sklad.metadata;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.sklad.proto.v1.ClusterAdminServiceGrpc;
import io.sklad.proto.v1.ClusterStatusRequest;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CommittedBlock;
import io.sklad.proto.v1.CopyBlocksResult;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.DrainNodeRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.HeartbeatRequest;
import io.sklad.proto.v1.HeartbeatResponse;
import io.sklad.proto.v1.ListNodesRequest;
import io.sklad.proto.v1.LiveNodesRequest;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeState;
import io.sklad.proto.v1.RemoveNodeRequest;
import io.sklad.proto.v1.SetVolumeRetentionRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.sklad.metadata.MasterFixture.blockId;
import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

/** Drain, repair commands in heartbeats, confirmations and remove, over the real gRPC services. */
class HealingServiceTest {
    @TempDir
    Path dir;
    MasterFixture m;

    @BeforeEach
    void start() {
        // passes run by the test, not in the background
        m = new MasterFixture(MasterConfig.defaults(dir).withListenPort(0).withHealing(HealingConfig.defaults()
                .withRepair(Duration.ofHours(1), 256, 64L << 20).withGc(Duration.ofHours(1), Duration.ofHours(1))));
        for (String n : new String[] {"n1", "n2", "n3", "n4"}) {
            m.registerNode(n);
        }
    }

    @AfterEach
    void stop() throws Exception {
        m.close();
    }

    ClusterAdminServiceGrpc.ClusterAdminServiceBlockingStub admin() {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + m.adminLogin.getToken());
        return ClusterAdminServiceGrpc.newBlockingStub(m.channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    HeartbeatResponse beat(String node, CopyBlocksResult... results) {
        return m.nodes().heartbeat(HeartbeatRequest.newBuilder().setNodeId(node).setCapacityBytes(1L << 40)
                .setFreeBytes(1L << 39).addAllCopies(java.util.List.of(results)).build());
    }

    @Test
    void drainedNodeIsCopiedAwayThroughHeartbeatsAndThenRemoved() {
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("v").setReplicas(3).build());
        Entry f = m.ns().createFile(CreateFileRequest.newBuilder().setVolume("v").setPath("/f").build()).getEntry();
        ByteString x = blockId("x");
        m.ns().commitVersion(CommitVersionRequest.newBuilder().setVolume("v").setInode(f.getInode())
                .setBaseVersion(f.getVersion()).setSize(100).addBlocks(CommittedBlock.newBuilder().setIndex(0)
                        .setBlockId(x).setStoredLength(120).addNodeIds("n1").addNodeIds("n2").addNodeIds("n3"))
                .build());

        var drained = admin().drainNode(DrainNodeRequest.newBuilder().setNodeId("n1").build());
        assertThat(drained.getNode().getState()).isEqualTo(NodeState.DRAINING);
        assertThat(drained.getBlocksToMove()).isEqualTo(1);
        assertThat(m.ns().liveNodes(LiveNodesRequest.getDefaultInstance()).getNodesList())
                .extracting(NodeInfo::getNodeId).doesNotContain("n1");
        var refused = expectError(ErrorCode.CONFLICT, () -> admin().removeNode(RemoveNodeRequest.newBuilder()
                .setNodeId("n1").build()));
        assertThat(refused.getMessage()).contains("1 blocks");

        m.server.repairScheduler().runOnce();
        var status = m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getRepair();
        assertThat(status.getBlocksAtRisk()).isEqualTo(1);
        assertThat(status.getBlocksRepairing()).isEqualTo(1);
        HeartbeatResponse r = beat("n1");
        assertThat(r.getCommandsList()).singleElement().satisfies(c -> {
            assertThat(c.getCopyBlocks().getBlockIdsList()).containsExactly(x);
            assertThat(c.getCopyBlocks().getTargetNodeId()).isEqualTo("n4");
        });
        long task = r.getCommands(0).getCopyBlocks().getTaskId();
        beat("n1", CopyBlocksResult.newBuilder().setTaskId(task).setTargetNodeId("n4").addCopied(x).build());
        m.server.repairScheduler().runOnce();
        status = m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getRepair();
        assertThat(status.getBlocksAtRisk()).isZero();
        assertThat(status.getRepairedBlocks()).isEqualTo(1);

        var nodes = admin().listNodes(ListNodesRequest.getDefaultInstance());
        assertThat(nodes.getUsageList()).filteredOn(u -> u.getNodeId().equals("n1"))
                .singleElement().satisfies(u -> assertThat(u.getBlocksOnlyHere()).isZero());
        admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").build());
        assertThat(admin().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList())
                .extracting(NodeInfo::getNodeId).containsExactlyInAnyOrder("n2", "n3", "n4");
        expectError(ErrorCode.NOT_FOUND, () -> admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").build()));
    }

    @Test
    void retentionIsSetPerVolumeAndBadValuesAreRefused() {
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("v").setReplicas(3).build());
        var v = admin().setVolumeRetention(SetVolumeRetentionRequest.newBuilder().setVolume("v")
                .setRetentionSeconds(86_400).build()).getVolume();
        assertThat(v.getRetentionSeconds()).isEqualTo(86_400);
        expectError(ErrorCode.INVALID_ARGUMENT, () -> admin().setVolumeRetention(SetVolumeRetentionRequest.newBuilder()
                .setVolume("v").setRetentionSeconds(-1).build()));
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> admin().setVolumeRetention(SetVolumeRetentionRequest.newBuilder()
                .setVolume("nope").setRetentionSeconds(1).build()));
    }
}
