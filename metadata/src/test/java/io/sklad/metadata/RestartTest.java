package io.sklad.metadata;

import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CommittedBlock;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.GetBlockMapRequest;
import io.sklad.proto.v1.ListVersionsRequest;
import io.sklad.proto.v1.ListVolumesRequest;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.MkdirRequest;
import io.sklad.proto.v1.StatEntryRequest;
import io.sklad.proto.v1.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sklad.metadata.MasterFixture.blockId;
import static org.assertj.core.api.Assertions.assertThat;

class RestartTest {
    @TempDir
    Path dir;

    @Test
    void restartOnTheSameDirectoryKeepsEverything() throws Exception {
        String joinToken;
        String token;
        Entry committed;
        try (MasterFixture m = new MasterFixture(dir)) {
            joinToken = m.server.joinToken();
            token = m.adminLogin.getToken();
            m.registerNode("n1");
            m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("keep").setReplicas(1).build());
            m.ns().mkdir(MkdirRequest.newBuilder().setVolume("keep").setPath("/d").build());
            Entry f = m.ns().createFile(CreateFileRequest.newBuilder().setVolume("keep").setPath("/d/f").build())
                    .getEntry();
            committed = m.ns().commitVersion(CommitVersionRequest.newBuilder().setVolume("keep")
                    .setInode(f.getInode()).setBaseVersion(f.getVersion()).setSize(10)
                    .addBlocks(CommittedBlock.newBuilder().setIndex(0).setBlockId(blockId("r0")).setStoredLength(40)
                            .addNodeIds("n1"))
                    .build()).getEntry();
        }
        try (MasterFixture m = new MasterFixture(dir)) {
            assertThat(m.server.joinToken()).isEqualTo(joinToken);
            assertThat(m.server.ensureAdmin(null).created()).isFalse();
            // the old token is still valid and everything is there
            assertThat(m.ns(token).listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                    .extracting(Volume::getName).containsExactly("keep");
            Entry f = m.ns(token).stat(StatEntryRequest.newBuilder().setVolume("keep").setPath("/d/f").build())
                    .getEntry();
            assertThat(f.getVersion()).isEqualTo(committed.getVersion());
            assertThat(f.getSize()).isEqualTo(10);
            assertThat(m.ns().listVersions(ListVersionsRequest.newBuilder().setVolume("keep").setPath("/d/f")
                    .build()).getVersionsCount()).isEqualTo(1);
            var map = m.ns().getBlockMap(GetBlockMapRequest.newBuilder().setVolume("keep").setInode(f.getInode())
                    .build()).next();
            assertThat(map.getBlocks(0).getBlockId()).isEqualTo(blockId("r0"));
            assertThat(map.getBlocks(0).getReplicas(0).getNodeId()).isEqualTo("n1");
            // new inodes and tx continue after the old ones
            Entry g = m.ns().createFile(CreateFileRequest.newBuilder().setVolume("keep").setPath("/g").build())
                    .getEntry();
            assertThat(g.getInode()).isGreaterThan(f.getInode());
            assertThat(g.getVersion()).isGreaterThan(f.getVersion());
            m.auth().login(LoginRequest.newBuilder().setUser("admin").setPassword(MasterFixture.ADMIN_PASSWORD).build());
        }
    }
}
