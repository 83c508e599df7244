package io.sklad.vfs.io;

import io.sklad.vfs.client.EntryInfo;
import io.sklad.vfs.client.MetadataClient;
import io.sklad.vfs.client.VolumeInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The open files of one file system: one {@link OpenFile} per (volume, inode), shared by all channels on it
 * and reference counted. Its monitor guards the table and the counts only; it is never held while waiting
 * for an upload or a commit (see {@link OpenFile} for the per-file lock protocol).
 */
public final class OpenFileRegistry implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OpenFileRegistry.class);

    private record Key(String volume, long inode) {
    }

    private final MetadataClient metadata;
    private final BlockReader reader;
    private final BlockUploader uploader;
    private final Path spillDir;
    private final Path keptDir;
    private final Map<Key, OpenFile> open = new HashMap<>();

    /**
     * @param spillDir where open files keep their dirty blocks (removed with the file system)
     * @param keptDir  where changes that could not be committed are kept (never removed automatically)
     */
    public OpenFileRegistry(MetadataClient metadata, BlockReader reader, BlockUploader uploader, Path spillDir,
                            Path keptDir) {
        this.metadata = metadata;
        this.reader = reader;
        this.uploader = uploader;
        this.spillDir = spillDir;
        this.keptDir = keptDir;
    }

    /**
     * The shared open file for an entry, with one more reference. A file that is already open without local
     * changes moves to {@code current} when that is newer (close-to-open).
     */
    public synchronized OpenFile acquire(VolumeInfo volume, EntryInfo current) {
        Key key = new Key(volume.name(), current.inode());
        OpenFile file = open.get(key);
        if (file == null) {
            file = new OpenFile(metadata, reader, uploader, spillDir, keptDir, volume, current);
            open.put(key, file);
        } else if (current.version() > file.baseVersion()) {
            file.rebase(current);
        }
        file.refs++;
        return file;
    }

    /** Drops one reference; the last one closes the file and removes its spill. */
    public void release(OpenFile file) {
        boolean last;
        synchronized (this) {
            last = --file.refs == 0;
            if (last) {
                open.remove(new Key(file.volume().name(), file.inode()), file);
            }
        }
        if (last) {
            file.close();
        }
    }

    /** True when {@code file} has exactly one reference: the caller's. */
    public synchronized boolean isLastReference(OpenFile file) {
        return file.refs == 1;
    }

    /** The open file of an inode, if any channel has it open. */
    public synchronized Optional<OpenFile> find(String volume, long inode) {
        return Optional.ofNullable(open.get(new Key(volume, inode)));
    }

    public synchronized int openCount() {
        return open.size();
    }

    @Override
    public void close() {
        List<OpenFile> files;
        synchronized (this) {
            files = new ArrayList<>(open.values());
            open.clear();
        }
        for (OpenFile f : files) {
            try {
                f.flush(); // channels still open at shutdown: commit what they wrote rather than drop it
            } catch (IOException e) {
                log.warn("could not commit open inode {} at shutdown: {}", f.inode(), e.toString());
            }
            f.close();
        }
    }
}
