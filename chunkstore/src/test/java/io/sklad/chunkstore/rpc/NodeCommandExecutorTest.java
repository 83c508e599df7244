package io.sklad.chunkstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.Blocks;
import io.sklad.proto.v1.CopyBlocksCommand;
import io.sklad.proto.v1.CopyBlocksResult;
import io.sklad.proto.v1.DeleteCommand;
import io.sklad.proto.v1.NodeCommand;
import io.sklad.proto.v1.ReplicateCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands as the master sends them, run against two real workers. */
class NodeCommandExecutorTest {

    @TempDir
    Path dir;

    @Test
    void replicateCopiesABlockWorkerToWorkerAndDeleteRemovesIt() throws Exception {
        try (WorkerServer source = new WorkerServer(ChunkGrpcServiceTest.config(dir.resolve("a"), 0));
             WorkerServer target = new WorkerServer(ChunkGrpcServiceTest.config(dir.resolve("b"), 0))) {
            source.start();
            target.start();
            byte[] data = Blocks.random(3 * 1024 * 1024 + 17);
            BlockId id = Blocks.idOf(data);
            source.blockStore().put(id, data);
            ByteString raw = ByteString.copyFrom(id.toBytes());

            try (GrpcPeerClient peers = new GrpcPeerClient(ChunkGrpcServiceTest.JOIN, Duration.ofSeconds(30));
                 NodeCommandExecutor commands = new NodeCommandExecutor(source.blockStore(), peers)) {
                commands.execute(NodeCommand.newBuilder().setReplicate(ReplicateCommand.newBuilder()
                        .setBlockId(raw).addTargetAddresses(target.address())
                        .addTargetNodeIds(target.nodeId())).build());

                assertThat(target.blockStore().get(id)).isEqualTo(data);
                // the master hears of the copy with the next heartbeat
                assertThat(commands.takeResults()).singleElement().satisfies(r -> {
                    assertThat(r.getBlockId()).isEqualTo(raw);
                    assertThat(r.getTargetNodeId()).isEqualTo(target.nodeId());
                    assertThat(r.getFailed()).isFalse();
                });
                assertThat(commands.takeResults()).isEmpty();

                commands.execute(NodeCommand.newBuilder().setDelete(DeleteCommand.newBuilder().addBlockIds(raw)).build());
                assertThat(source.blockStore().has(id)).isFalse();

                // A block this worker lacks is skipped without harm, and the master is told its row is wrong.
                commands.execute(NodeCommand.newBuilder().setReplicate(ReplicateCommand.newBuilder()
                        .setBlockId(raw).addTargetAddresses(target.address())
                        .addTargetNodeIds(target.nodeId())).build());
                assertThat(target.blockStore().has(id)).isTrue();
                assertThat(commands.takeResults()).singleElement().satisfies(r -> {
                    assertThat(r.getFailed()).isTrue();
                    assertThat(r.getSourceMissing()).isTrue();
                });
            }
        }
    }

    @Test
    void aCopyTaskStreamsManyBlocksInOneCallAndReportsEachBlocksOutcome() throws Exception {
        try (WorkerServer source = new WorkerServer(ChunkGrpcServiceTest.config(dir.resolve("a"), 0));
             WorkerServer target = new WorkerServer(ChunkGrpcServiceTest.config(dir.resolve("b"), 0))) {
            source.start();
            target.start();
            List<BlockId> held = new ArrayList<>();
            Map<BlockId, byte[]> data = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                byte[] b = Blocks.random(i == 7 ? 2 * 1024 * 1024 + 5 : 65_536 + i);
                BlockId id = Blocks.idOf(b);
                source.blockStore().put(id, b);
                held.add(id);
                data.put(id, b);
            }
            BlockId missing = Blocks.idOf(Blocks.random(100));
            CopyBlocksCommand.Builder cmd = CopyBlocksCommand.newBuilder().setTaskId(42)
                    .setTargetNodeId(target.nodeId()).setTargetAddress(target.address());
            held.subList(0, 150).forEach(id -> cmd.addBlockIds(raw(id)));
            cmd.addBlockIds(raw(missing));
            held.subList(150, 300).forEach(id -> cmd.addBlockIds(raw(id)));
            AtomicInteger told = new AtomicInteger();

            try (GrpcPeerClient peers = new GrpcPeerClient(ChunkGrpcServiceTest.JOIN, Duration.ofSeconds(30));
                 NodeCommandExecutor commands = new NodeCommandExecutor(source.blockStore(), peers,
                         told::incrementAndGet)) {
                commands.execute(NodeCommand.newBuilder().setCopyBlocks(cmd).build());

                for (BlockId id : held) {
                    assertThat(target.blockStore().get(id)).isEqualTo(data.get(id));
                }
                assertThat(told).hasValue(1);
                CopyBlocksResult r = commands.takeCopyResults().get(0);
                assertThat(r.getTaskId()).isEqualTo(42);
                assertThat(r.getTargetNodeId()).isEqualTo(target.nodeId());
                assertThat(r.getCopiedList()).containsExactlyInAnyOrderElementsOf(held.stream().map(NodeCommandExecutorTest::raw).toList());
                assertThat(r.getSourceMissingList()).containsExactly(raw(missing));
                assertThat(r.getFailedList()).isEmpty();

                // a target that is gone: every block of the task is reported failed, for the master to order again
                String away = target.address();
                target.close();
                commands.execute(NodeCommand.newBuilder().setCopyBlocks(CopyBlocksCommand.newBuilder().setTaskId(43)
                        .setTargetNodeId("gone").setTargetAddress(away).addBlockIds(raw(held.get(0)))
                        .addBlockIds(raw(held.get(1)))).build());
                CopyBlocksResult failed = commands.takeCopyResults().get(0);
                assertThat(failed.getCopiedList()).isEmpty();
                assertThat(failed.getFailedList()).containsExactlyInAnyOrder(raw(held.get(0)), raw(held.get(1)));
            }
        }
    }

    static ByteString raw(BlockId id) {
        return ByteString.copyFrom(id.toBytes());
    }
}
