package io.sklad.vfs.fs;

import io.sklad.vfs.attr.AttributeStrings;
import io.sklad.vfs.attr.UnixFileAttributeView;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.NodeState;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.client.WorkerNode;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * A volume as a file store (the root {@code /} is a read-only store of its own). Space is the cluster's:
 * the live workers' capacity and free bytes divided by the volume's replication factor, because every
 * byte written takes R copies.
 */
public final class SkladFileStore extends FileStore {

    private final SkladFileSystem fs;
    private final String volume;

    SkladFileStore(SkladFileSystem fs, String volume) {
        this.fs = fs;
        this.volume = volume;
    }

    @Override
    public String name() {
        return volume == null ? "/" : volume;
    }

    @Override
    public String type() {
        return "sklad";
    }

    @Override
    public boolean isReadOnly() {
        return volume == null;
    }

    private long[] space() throws IOException {
        ClusterStatus status = fs.clusterStatus();
        int replicas = 1;
        if (volume != null) {
            for (VolumeInfo v : status.volumes()) {
                if (v.name().equals(volume)) {
                    replicas = Math.max(1, v.replicas());
                }
            }
        }
        long capacity = 0;
        long free = 0;
        for (WorkerNode n : status.nodes()) {
            if (n.state() == NodeState.ALIVE) {
                capacity += n.capacityBytes();
                free += n.readOnly() ? 0 : n.freeBytes();
            }
        }
        return new long[]{capacity / replicas, free / replicas};
    }

    @Override
    public long getTotalSpace() throws IOException {
        return space()[0];
    }

    @Override
    public long getUsableSpace() throws IOException {
        return space()[1];
    }

    @Override
    public long getUnallocatedSpace() throws IOException {
        return space()[1];
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == FileOwnerAttributeView.class
                || type == PosixFileAttributeView.class || type == UnixFileAttributeView.class
                || type == java.nio.file.attribute.UserDefinedFileAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return AttributeStrings.VIEWS.contains(name) || name.equals("user");
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
        return switch (attribute) {
            case "totalSpace" -> getTotalSpace();
            case "usableSpace" -> getUsableSpace();
            case "unallocatedSpace" -> getUnallocatedSpace();
            default -> throw new UnsupportedOperationException("'" + attribute + "' not recognized");
        };
    }

    @Override
    public String toString() {
        return name() + " (sklad)";
    }
}
