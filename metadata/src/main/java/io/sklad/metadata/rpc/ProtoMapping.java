package io.sklad.metadata.rpc;

import com.google.protobuf.ByteString;
import io.sklad.metadata.node.NodeCommand;
import io.sklad.metadata.repair.HealingStatus;
import io.sklad.metadata.repair.RepairProgress;
import io.sklad.metadata.store.AttributeUpdate;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.BlockLocation;
import io.sklad.metadata.store.EntryInfo;
import io.sklad.metadata.store.EntryKind;
import io.sklad.metadata.store.NodeStats;
import io.sklad.metadata.store.NodeStatus;
import io.sklad.metadata.store.VersionInfo;
import io.sklad.metadata.store.VolumeInfo;
import io.sklad.proto.v1.BlockRef;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CopyBlocksCommand;
import io.sklad.proto.v1.DeleteCommand;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.FileVersion;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeState;
import io.sklad.proto.v1.Volume;

/** Domain records to and from the wire types; nothing else in the master sees proto classes. */
final class ProtoMapping {
    private ProtoMapping() {
    }

    /** The attributes a commit (or the first part of a streamed one) sets; absent fields stay. */
    static AttributeUpdate attributes(CommitVersionRequest r) {
        return new AttributeUpdate(
                r.hasMode() ? r.getMode() : null,
                r.hasUid() ? r.getUid() : null,
                r.hasGid() ? r.getGid() : null,
                r.hasMtimeMillis() ? r.getMtimeMillis() : null,
                r.hasAtimeMillis() ? r.getAtimeMillis() : null);
    }

    static Volume volume(VolumeInfo v) {
        return Volume.newBuilder().setName(v.name()).setReplicas(v.replicas()).setBlockSize(v.blockSize())
                .setCreatedAtMillis(v.createdAtMillis()).setWriteQuorum(v.writeQuorum())
                .setRetentionSeconds(v.retentionMillis() / 1000).build();
    }

    static Entry entry(EntryInfo e) {
        Entry.Builder b = Entry.newBuilder().setName(e.name()).setInode(e.inode()).setKind(kind(e.kind()))
                .setVersion(e.version()).setSize(e.size()).setMode(e.mode()).setUid(e.uid()).setGid(e.gid())
                .setMtimeMillis(e.mtimeMillis()).setCtimeMillis(e.ctimeMillis()).setAtimeMillis(e.atimeMillis())
                .setCreatedMillis(e.createdMillis());
        if (e.symlinkTarget() != null) {
            b.setSymlinkTarget(e.symlinkTarget());
        }
        return b.build();
    }

    static io.sklad.proto.v1.EntryKind kind(EntryKind k) {
        return switch (k) {
            case FILE -> io.sklad.proto.v1.EntryKind.FILE;
            case DIRECTORY -> io.sklad.proto.v1.EntryKind.DIRECTORY;
            case SYMLINK -> io.sklad.proto.v1.EntryKind.SYMLINK;
        };
    }

    /** Null for UNSPECIFIED (any kind). */
    static EntryKind kind(io.sklad.proto.v1.EntryKind k) {
        return switch (k) {
            case FILE -> EntryKind.FILE;
            case DIRECTORY -> EntryKind.DIRECTORY;
            case SYMLINK -> EntryKind.SYMLINK;
            default -> null;
        };
    }

    static NodeInfo node(NodeStatus n) {
        NodeStats s = n.stats();
        return NodeInfo.newBuilder().setNodeId(n.nodeId()).setAddress(n.address()).putAllLabels(n.labels())
                .setCapacityBytes(s.capacityBytes()).setUsedBytes(s.usedBytes()).setFreeBytes(s.freeBytes())
                .setBlockCount(s.blockCount()).setReadOnly(s.readOnly())
                .setState(NodeState.valueOf(n.state().name()))
                .setLastHeartbeatMillis(n.lastHeartbeatMillis()).build();
    }

    static BlockRef blockRef(BlockLocation l) {
        BlockRef.Builder b = BlockRef.newBuilder().setIndex(Math.max(0, l.index()))
                .setBlockId(ByteString.copyFrom(l.id().bytes())).setStoredLength(l.storedLength());
        for (NodeStatus n : l.replicas()) {
            b.addReplicas(node(n));
        }
        return b.build();
    }

    static BlockId blockId(ByteString bytes) {
        return BlockId.of(bytes.toByteArray());
    }

    static FileVersion version(VersionInfo v) {
        return FileVersion.newBuilder().setVersion(v.version()).setCommittedMillis(v.committedMillis())
                .setSize(v.size()).setCurrent(v.current()).build();
    }

    static io.sklad.proto.v1.RepairProgress repair(HealingStatus h) {
        RepairProgress r = h.repair();
        return io.sklad.proto.v1.RepairProgress.newBuilder().setBlocksAtRisk(r.blocksAtRisk())
                .setBytesAtRisk(r.bytesAtRisk()).setBlocksRepairing(r.blocksRepairing())
                .setRepairedBytesPerSecond(r.repairedBytesPerSecond()).setEtaSeconds(r.etaSeconds())
                .setBlocksWithoutSource(r.blocksWithoutSource()).setRepairedBlocks(r.repairedBlocks())
                .setTrimmedBlocks(r.trimmedBlocks()).setGcPendingBlocks(h.gcPendingBlocks())
                .setGcDeletedBlocks(h.gcDeletedBlocks()).build();
    }

    static io.sklad.proto.v1.NodeCommand command(NodeCommand c) {
        io.sklad.proto.v1.NodeCommand.Builder b = io.sklad.proto.v1.NodeCommand.newBuilder();
        if (c instanceof NodeCommand.CopyBlocks t) {
            CopyBlocksCommand.Builder copy = CopyBlocksCommand.newBuilder().setTaskId(t.taskId())
                    .setTargetNodeId(t.targetNodeId()).setTargetAddress(t.targetAddress());
            t.blocks().forEach(id -> copy.addBlockIds(ByteString.copyFrom(id.bytes())));
            b.setCopyBlocks(copy);
        } else if (c instanceof NodeCommand.Delete d) {
            DeleteCommand.Builder del = DeleteCommand.newBuilder();
            d.blocks().forEach(id -> del.addBlockIds(ByteString.copyFrom(id.bytes())));
            b.setDelete(del);
        }
        return b.build();
    }
}
