package io.sklad.metadata;

import com.google.protobuf.ByteString;
import io.sklad.metadata.store.StoreCounts;
import io.sklad.proto.v1.BlockRef;
import io.sklad.proto.v1.ClusterStatusRequest;
import io.sklad.proto.v1.ClusterStatusResponse;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CommittedBlock;
import io.sklad.proto.v1.CopyRequest;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.DeleteRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.FileVersion;
import io.sklad.proto.v1.FindBlocksRequest;
import io.sklad.proto.v1.GetBlockMapRequest;
import io.sklad.proto.v1.GetBlockMapResponse;
import io.sklad.proto.v1.ListVersionsRequest;
import io.sklad.proto.v1.ReportBadReplicaRequest;
import io.sklad.proto.v1.StatEntryRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sklad.metadata.MasterFixture.blockId;
import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitVersionTest {
    private static final int BS = 16 * 1024;
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    static Path dir;
    MasterFixture m;
    final String vol = "backups";

    @BeforeAll
    void start() {
        m = new MasterFixture(dir);
        for (String n : List.of("n1", "n2", "n3")) {
            m.registerNode(n);
        }
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName(vol).setReplicas(3).setBlockSize(BS).build());
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    private Entry newFile() {
        return m.ns().createFile(CreateFileRequest.newBuilder().setVolume(vol)
                .setPath("/f" + FILES.incrementAndGet()).build()).getEntry();
    }

    private static CommittedBlock block(long index, String seed, String... nodes) {
        return CommittedBlock.newBuilder().setIndex(index).setBlockId(blockId(seed)).setStoredLength(BS)
                .addAllNodeIds(List.of(nodes)).build();
    }

    private Entry commit(Entry f, long base, long size, List<CommittedBlock> blocks) {
        return m.ns().commitVersion(CommitVersionRequest.newBuilder().setVolume(vol).setInode(f.getInode())
                .setBaseVersion(base).setSize(size).addAllBlocks(blocks).build()).getEntry();
    }

    /** Commits through CommitVersionStream in parts of {@code partSize} blocks; throws the call's error. */
    private Entry commitStreamed(Entry f, long base, long size, List<CommittedBlock> blocks, int partSize) {
        io.grpc.Metadata h = new io.grpc.Metadata();
        h.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + m.adminLogin.getToken());
        java.util.concurrent.CompletableFuture<io.sklad.proto.v1.CommitVersionResponse> done =
                new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<CommitVersionRequest> parts = io.sklad.proto.v1.NamespaceServiceGrpc
                .newStub(m.channel).withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS)
                .commitVersionStream(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.sklad.proto.v1.CommitVersionResponse r) {
                        done.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        int from = 0;
        do {
            CommitVersionRequest.Builder b = CommitVersionRequest.newBuilder();
            if (from == 0) {
                b.setVolume(vol).setInode(f.getInode()).setBaseVersion(base).setSize(size);
            }
            int to = Math.min(blocks.size(), from + partSize);
            b.addAllBlocks(blocks.subList(from, to));
            parts.onNext(b.build());
            from = to;
        } while (from < blocks.size());
        parts.onCompleted();
        try {
            return done.get().getEntry();
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aStreamedCommitInPartsEqualsOneMessage() {
        Entry f = newFile();
        List<CommittedBlock> all = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            all.add(block(i, "streamed-" + i, "n1", "n2"));
        }
        StoreCounts before = m.server.store().counts();
        Entry v1 = commitStreamed(f, f.getVersion(), 5000L * BS, all, 2000);
        assertThat(v1.getSize()).isEqualTo(5000L * BS);
        assertThat(m.server.store().counts().blockMapRows() - before.blockMapRows()).isEqualTo(5000);
        List<BlockRef> refs = blockMap(f, 0);
        assertThat(refs).hasSize(5000);
        assertThat(refs.get(4999).getBlockId()).isEqualTo(blockId("streamed-4999"));
        assertThat(refs.get(2000).getReplicasList()).extracting(n -> n.getNodeId()).containsExactlyInAnyOrder("n1", "n2");

        // the same compare-and-set: a stream on a stale base changes nothing
        expectError(ErrorCode.CONFLICT, () -> commitStreamed(f, f.getVersion(), BS,
                List.of(block(0, "late", "n1", "n2")), 1));
        // 2 changed blocks in two parts: 2 rows
        StoreCounts mid = m.server.store().counts();
        commitStreamed(f, v1.getVersion(), 5000L * BS,
                List.of(block(3, "changed-3", "n1", "n3"), block(4321, "changed-4321", "n2", "n3")), 1);
        assertThat(m.server.store().counts().blockMapRows() - mid.blockMapRows()).isEqualTo(2);
    }

    @Test
    void aBadPartFailsTheStreamAndCommitsNothing() {
        Entry f = newFile();
        List<CommittedBlock> twice = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            twice.add(block(i, "twice-" + i, "n1", "n2"));
        }
        twice.add(block(7, "again", "n1", "n2"));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> commitStreamed(f, f.getVersion(), 300L * BS, twice, 100));
        List<CommittedBlock> tooMany = new ArrayList<>();
        for (int i = 0; i < 4097; i++) {
            tooMany.add(block(i, "many-" + i, "n1", "n2"));
        }
        expectError(ErrorCode.INVALID_ARGUMENT, () -> commitStreamed(f, f.getVersion(), 4097L * BS, tooMany, 4097));
        // too few acknowledged copies in the last part: UNAVAILABLE, as for one message
        List<CommittedBlock> weak = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            weak.add(i == 599 ? block(i, "weak-" + i, "n1") : block(i, "weak-" + i, "n1", "n2"));
        }
        expectError(ErrorCode.UNAVAILABLE, () -> commitStreamed(f, f.getVersion(), 600L * BS, weak, 256));
        assertThat(blockMap(f, 0)).isEmpty();
        assertThat(m.ns().listVersions(ListVersionsRequest.newBuilder().setVolume(vol).setPath(f.getName()).build())
                .getVersionsList()).singleElement().satisfies(v -> assertThat(v.getVersion()).isEqualTo(f.getVersion()));
    }

    private List<BlockRef> blockMap(Entry f, long version) {
        List<BlockRef> refs = new ArrayList<>();
        m.ns().getBlockMap(GetBlockMapRequest.newBuilder().setVolume(vol).setInode(f.getInode()).setVersion(version)
                .build()).forEachRemaining(r -> refs.addAll(r.getBlocksList()));
        return refs;
    }

    @Test
    void commitTouchingTwoOfAThousandBlocksAddsTwoRows() {
        Entry f = newFile();
        List<CommittedBlock> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(block(i, "big-" + i, "n1", "n2"));
        }
        Entry v1 = commit(f, f.getVersion(), 1000L * BS, all);
        assertThat(v1.getSize()).isEqualTo(1000L * BS);
        StoreCounts before = m.server.store().counts();

        Entry v2 = commit(f, v1.getVersion(), 1000L * BS,
                List.of(block(17, "changed-17", "n1", "n3"), block(900, "changed-900", "n2", "n3")));
        StoreCounts after = m.server.store().counts();
        assertThat(after.blockMapRows() - before.blockMapRows()).isEqualTo(2);
        assertThat(after.versionRows() - before.versionRows()).isEqualTo(1);

        // the new version reads the changed blocks, the old one still reads the old blocks
        List<BlockRef> now = blockMap(f, 0);
        assertThat(now).hasSize(1000);
        assertThat(now.get(17).getBlockId()).isEqualTo(blockId("changed-17"));
        assertThat(now.get(18).getBlockId()).isEqualTo(blockId("big-18"));
        assertThat(now.get(17).getReplicasList()).extracting(n -> n.getNodeId()).containsExactlyInAnyOrder("n1", "n3");
        List<BlockRef> old = blockMap(f, v1.getVersion());
        assertThat(old.get(17).getBlockId()).isEqualTo(blockId("big-17"));
        assertThat(old.get(900).getBlockId()).isEqualTo(blockId("big-900"));

        List<FileVersion> versions = m.ns().listVersions(ListVersionsRequest.newBuilder().setVolume(vol)
                .setPath(f.getName()).build()).getVersionsList();
        // the empty version from the file's creation is not listed once it has been written
        assertThat(versions).extracting(FileVersion::getVersion)
                .containsExactly(v1.getVersion(), v2.getVersion());
        assertThat(versions).extracting(FileVersion::getCurrent).containsExactly(false, true);

        // stat of an exact version
        Entry first = m.ns().stat(StatEntryRequest.newBuilder().setVolume(vol).setPath(f.getName())
                .setVersion(f.getVersion()).build()).getEntry();
        assertThat(first.getSize()).isZero();
    }

    @Test
    void blockMapStreamsInPagesAndHonoursRange() {
        Entry f = newFile();
        List<CommittedBlock> all = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            all.add(block(i, "paged-" + i, "n1", "n2"));
        }
        commit(f, f.getVersion(), 5000L * BS, all);
        List<GetBlockMapResponse> frames = new ArrayList<>();
        m.ns().getBlockMap(GetBlockMapRequest.newBuilder().setVolume(vol).setInode(f.getInode()).build())
                .forEachRemaining(frames::add);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).getBlocksCount()).isEqualTo(4096);
        assertThat(frames.get(0).getBlockSize()).isEqualTo(BS);
        assertThat(frames.get(1).getBlocks(903).getIndex()).isEqualTo(4999);

        List<BlockRef> range = new ArrayList<>();
        m.ns().getBlockMap(GetBlockMapRequest.newBuilder().setVolume(vol).setInode(f.getInode()).setFromIndex(10)
                .setCount(5).build()).forEachRemaining(r -> range.addAll(r.getBlocksList()));
        assertThat(range).extracting(BlockRef::getIndex).containsExactly(10L, 11L, 12L, 13L, 14L);
    }

    @Test
    void staleBaseVersionConflictsAndChangesNothing() {
        Entry f = newFile();
        Entry v1 = commit(f, f.getVersion(), BS, List.of(block(0, "cas-a", "n1", "n2")));
        StoreCounts before = m.server.store().counts();
        expectError(ErrorCode.CONFLICT, () -> commit(f, f.getVersion(), BS, List.of(block(0, "cas-b", "n1", "n2"))));
        assertThat(m.server.store().counts()).isEqualTo(before);
        assertThat(blockMap(f, 0)).extracting(BlockRef::getBlockId).containsExactly(blockId("cas-a"));
        assertThat(m.ns().stat(StatEntryRequest.newBuilder().setVolume(vol).setPath(f.getName()).build())
                .getEntry().getVersion()).isEqualTo(v1.getVersion());
    }

    @Test
    void tooFewReplicasChangesNothing() {
        Entry f = newFile();
        StoreCounts before = m.server.store().counts();
        // write quorum is min(3, 2) = 2: one acknowledged copy is not enough
        expectError(ErrorCode.UNAVAILABLE, () -> commit(f, f.getVersion(), 2L * BS,
                List.of(block(0, "few-0", "n1", "n2"), block(1, "few-1", "n1"))));
        // unknown node ids do not count
        expectError(ErrorCode.UNAVAILABLE, () -> commit(f, f.getVersion(), BS,
                List.of(block(0, "few-0", "n1", "ghost"))));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> commit(f, f.getVersion(), BS,
                List.of(block(3, "past-end", "n1", "n2"))));
        assertThat(m.server.store().counts()).isEqualTo(before);
        assertThat(m.ns().findBlocks(FindBlocksRequest.newBuilder().addBlockIds(blockId("few-0")).build())
                .getFoundList()).isEmpty();
    }

    @Test
    void truncateAndHolesCloseRows() {
        Entry f = newFile();
        Entry v1 = commit(f, f.getVersion(), 4L * BS, List.of(block(0, "t0", "n1", "n2"), block(1, "t1", "n1", "n2"),
                block(2, "t2", "n1", "n2"), block(3, "t3", "n1", "n2")));
        CommittedBlock hole = CommittedBlock.newBuilder().setIndex(1).build();
        Entry v2 = commit(f, v1.getVersion(), 2L * BS + 1, List.of(hole));
        assertThat(v2.getSize()).isEqualTo(2L * BS + 1);
        assertThat(blockMap(f, 0)).extracting(BlockRef::getIndex).containsExactly(0L, 2L);
        assertThat(blockMap(f, v1.getVersion())).hasSize(4);
    }

    @Test
    void copySharesBlockIds() {
        Entry f = newFile();
        commit(f, f.getVersion(), 3L * BS, List.of(block(0, "c0", "n1", "n2"), block(1, "c1", "n1", "n2"),
                block(2, "c2", "n1", "n2")));
        StoreCounts before = m.server.store().counts();
        Entry copy = m.ns().copy(CopyRequest.newBuilder().setVolume(vol).setFromPath(f.getName())
                .setToPath(f.getName() + ".copy").build()).getEntry();
        assertThat(copy.getInode()).isNotEqualTo(f.getInode());
        assertThat(copy.getSize()).isEqualTo(3L * BS);
        assertThat(blockMap(copy, 0)).extracting(BlockRef::getBlockId)
                .containsExactlyElementsOf(blockMap(f, 0).stream().map(BlockRef::getBlockId).toList());
        StoreCounts after = m.server.store().counts();
        assertThat(after.blocks()).isEqualTo(before.blocks());
        assertThat(after.blockMapRows() - before.blockMapRows()).isEqualTo(3);
        assertThat(m.ns().listVersions(ListVersionsRequest.newBuilder().setVolume(vol).setPath(copy.getName())
                .build()).getVersionsList()).hasSize(1);
    }

    @Test
    void findBlocksBadReplicaAndClusterStatus() {
        Entry f = newFile();
        commit(f, f.getVersion(), BS, List.of(block(0, "fb", "n1", "n2")));
        ByteString unknown = blockId("never-stored");
        List<BlockRef> found = m.ns().findBlocks(FindBlocksRequest.newBuilder().addBlockIds(blockId("fb"))
                .addBlockIds(unknown).build()).getFoundList();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).getReplicasList()).hasSize(2);

        ClusterStatusResponse before = m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance());
        m.ns().reportBadReplica(ReportBadReplicaRequest.newBuilder().setBlockId(blockId("fb")).setNodeId("n1")
                .setReason("checksum").build());
        assertThat(m.ns().findBlocks(FindBlocksRequest.newBuilder().addBlockIds(blockId("fb")).build())
                .getFound(0).getReplicasList()).extracting(n -> n.getNodeId()).containsExactly("n2");
        ClusterStatusResponse after = m.ns().clusterStatus(ClusterStatusRequest.getDefaultInstance());
        // every block of a 3-replica volume with 2 acked copies is under-replicated; fb is not new there
        assertThat(after.getUnderReplicated()).isEqualTo(before.getUnderReplicated());
        assertThat(after.getBlockCount()).isPositive();
        assertThat(after.getNodesCount()).isEqualTo(3);
        assertThat(after.getVolumesList()).extracting(v -> v.getName()).contains(vol);
        assertThat(after.getLogicalBytes()).isPositive();
    }

    @Test
    void commitOnDeletedFileIsNotFound() {
        Entry f = newFile();
        m.ns().delete(DeleteRequest.newBuilder().setVolume(vol).setPath(f.getName()).build());
        expectError(ErrorCode.NOT_FOUND, () -> commit(f, f.getVersion(), BS, List.of(block(0, "gone", "n1", "n2"))));
    }
}
