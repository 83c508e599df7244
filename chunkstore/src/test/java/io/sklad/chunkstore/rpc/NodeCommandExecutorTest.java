package io.sklad.chunkstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sklad.chunkstore.WorkerServer;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.Blocks;
import io.sklad.proto.v1.DeleteCommand;
import io.sklad.proto.v1.NodeCommand;
import io.sklad.proto.v1.ReplicateCommand;
import java.nio.file.Path;
import java.time.Duration;
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
}
