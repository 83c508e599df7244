package io.sklad.mount.fs;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The directory handle table of a mount: FUSE {@code fh} to {@link DirectoryListing}. */
final class DirectoryListings implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectoryListings.class);

    private final ConcurrentHashMap<Long, DirectoryListing> listings = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    long open(Path dir) throws IOException {
        long fh = nextHandle.getAndIncrement();
        listings.put(fh, new DirectoryListing(dir));
        return fh;
    }

    DirectoryListing get(long fh) throws ClosedChannelException {
        DirectoryListing listing = listings.get(fh);
        if (listing == null) {
            throw new ClosedChannelException();
        }
        return listing;
    }

    void release(long fh) throws IOException {
        DirectoryListing listing = listings.remove(fh);
        if (listing != null) {
            listing.close();
        }
    }

    int size() {
        return listings.size();
    }

    @Override
    public void close() {
        for (Long fh : listings.keySet()) {
            try {
                release(fh);
            } catch (IOException | RuntimeException e) {
                log.warn("Closing directory handle {} on unmount failed", fh, e);
            }
        }
    }
}
