package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * PUT streamed from the request straight into the file through a fixed buffer: bodies of any size,
 * with or without a length (chunked), never held in memory or spooled.
 */
final class PutHandler extends DavHandler {

    private static final int BUFFER = 64 * 1024;

    PutHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"PUT"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        if (target.isRoot()) {
            throw new DavStatusException(405, "cannot PUT the root collection");
        }
        if (ex.header("Content-Range") != null) {
            // RFC 9110 §14.4: a server that does not do partial PUT must reject it, not store the fragment.
            throw new DavStatusException(400, "partial PUT is not supported");
        }
        PathResource existing = dav.find(ex, target);
        if (existing != null && existing.isCollection()) {
            throw new DavStatusException(405, "target is a collection");
        }
        PathResource parent = dav.find(ex, target.parent());
        if (parent == null || !parent.isCollection()) {
            throw new DavStatusException(409, "parent collection does not exist");
        }
        dav.checkIf(ex, target);
        dav.checkHttpConditions(ex, existing, false);
        dav.requireUnlocked(ex, target, false, existing == null);

        Path file = dav.fileOf(ex, target);
        boolean completed = false;
        try (InputStream in = ex.request().getInputStream();
             OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            completed = true;
        } finally {
            if (!completed && existing == null) {
                // An aborted upload of a new file leaves nothing behind.
                Files.deleteIfExists(file);
            }
        }
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        ex.response().setHeader("ETag", dav.etag(a));
        if (existing == null) {
            ex.response().setHeader("Location", ex.href(target, false));
        }
        ex.sendStatus(existing == null ? 201 : 204, null);
    }
}
