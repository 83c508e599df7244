package io.sklad.metadata.rpc;

import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.AttributeUpdate;
import io.sklad.metadata.store.CommitRequest;
import io.sklad.metadata.store.CommittedBlock;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.VolumeInfo;
import io.sklad.proto.v1.CommitVersionRequest;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of one streamed commit, collected before the commit runs (no lock, no transaction while receiving).
 * Each part is checked as it arrives — size of the part, index inside the new file, no index twice — so a bad
 * stream fails at its first bad part, and memory stays bounded by the file's block count. Node ids are shared
 * between blocks (a commit names a handful of workers thousands of times). Not thread-safe: gRPC delivers one
 * stream's messages one at a time.
 */
final class CommitParts {
    /** Blocks per part; the agent sends parts of this size (~700 KB on the wire). */
    static final int MAX_PART = 4096;

    private final String volume;
    private final long inode;
    private final long baseVersion;
    private final long size;
    private final AttributeUpdate attributes;
    private final long blockCount;
    private final BitSet seen = new BitSet();
    private final List<CommittedBlock> blocks = new ArrayList<>();
    private final Map<String, String> nodeIds = new HashMap<>();

    /** Starts with the first part, whose header names the file; {@code v} is its volume (checked for write access). */
    CommitParts(CommitVersionRequest first, VolumeInfo v) {
        if (first.getSize() < 0) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "negative size");
        }
        this.volume = first.getVolume();
        this.inode = first.getInode();
        this.baseVersion = first.getBaseVersion();
        this.size = first.getSize();
        this.attributes = ProtoMapping.attributes(first);
        this.blockCount = (size + v.blockSize() - 1) / v.blockSize();
        if (blockCount > Integer.MAX_VALUE) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "file of " + size + " bytes is too large");
        }
        firstBlocks = addBlocks(first);
    }

    private final List<CommittedBlock> firstBlocks;

    /** The first part's blocks. */
    List<CommittedBlock> firstBlocks() {
        return firstBlocks;
    }

    String volume() {
        return volume;
    }

    /** Adds a later part's blocks (it must not name another file) and returns them. */
    List<CommittedBlock> add(CommitVersionRequest part) {
        checkSameFile(part);
        return addBlocks(part);
    }

    private List<CommittedBlock> addBlocks(CommitVersionRequest part) {
        if (part.getBlocksCount() > MAX_PART) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "a commit part carries " + part.getBlocksCount()
                    + " blocks, at most " + MAX_PART + " are allowed");
        }
        for (io.sklad.proto.v1.CommittedBlock b : part.getBlocksList()) {
            long index = b.getIndex();
            if (index < 0 || index >= blockCount) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block index " + index
                        + " outside a file of " + blockCount + " blocks");
            }
            if (seen.get((int) index)) {
                throw new MetadataException(MetaError.INVALID_ARGUMENT, "block index " + index + " given twice");
            }
            seen.set((int) index);
            BlockId id = b.getBlockId().isEmpty() ? null : ProtoMapping.blockId(b.getBlockId());
            List<String> nodes = new ArrayList<>(b.getNodeIdsCount());
            for (String n : b.getNodeIdsList()) {
                nodes.add(nodeIds.computeIfAbsent(n, k -> k));
            }
            blocks.add(new CommittedBlock(index, id, b.getStoredLength(), nodes));
        }
        return blocks.subList(blocks.size() - part.getBlocksCount(), blocks.size());
    }

    private void checkSameFile(CommitVersionRequest part) {
        boolean other = (!part.getVolume().isEmpty() && !part.getVolume().equals(volume))
                || (part.getInode() != 0 && part.getInode() != inode);
        if (other) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "a commit part names another file");
        }
    }

    /** @param blocksRecorded every block went through {@code registerBlocks} already */
    CommitRequest request(boolean blocksRecorded) {
        return new CommitRequest(volume, inode, baseVersion, size, blocks, attributes, blocksRecorded);
    }

    /** Blocks from {@code from} on (for recording the ones not recorded yet). */
    List<CommittedBlock> blocksFrom(int from) {
        return blocks.subList(from, blocks.size());
    }

    int blockCount() {
        return blocks.size();
    }
}
