package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * COPY and MOVE (RFC 4918 §9.8, §9.9): Destination on this server, Overwrite (F and an existing
 * destination → 412), Depth 0/infinity for COPY of a collection; locks do not travel with the copy.
 */
final class CopyMoveHandler extends DavHandler {

    CopyMoveHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"COPY", "MOVE"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        boolean move = ex.method().equals("MOVE");
        DavPath source = ex.target();
        DavPath dest = destination(ex);
        PathResource src = dav.find(ex, source);
        if (src == null) {
            throw new DavStatusException(404, "source not found");
        }
        int depth = ex.depth(-1);
        if (depth == 1 || (move && depth != -1 && src.isCollection())) {
            throw new DavStatusException(400, "invalid Depth for " + ex.method());
        }
        if (source.equals(dest)) {
            throw new DavStatusException(403, "source and destination are the same");
        }
        if (source.contains(dest) || (move && source.isRoot())) {
            throw new DavStatusException(403, "destination inside source");
        }
        PathResource destParent = dav.find(ex, dest.parent());
        if (destParent == null || !destParent.isCollection()) {
            throw new DavStatusException(409, "destination parent does not exist");
        }
        boolean overwrite = ex.overwrite();
        PathResource existing = dav.find(ex, dest);

        dav.checkIf(ex, source);
        if (move) {
            dav.requireUnlocked(ex, source, true, true);
        }
        dav.requireUnlocked(ex, dest, true, existing == null);
        if (move) {
            dav.requireRemovable(src.path());
        }
        if (existing != null) {
            if (!overwrite) {
                throw new DavStatusException(412, "destination exists and Overwrite is F");
            }
            dav.requireRemovable(existing.path());
            dav.tree().deleteTree(existing.path());
            dav.locks().removeWithin(existing.path());
        }
        Path to = dav.fileOf(ex, dest);
        try {
            if (move) {
                dav.tree().move(src.path(), to);
                dav.locks().removeWithin(src.path());
            } else {
                dav.tree().copyTree(src.path(), to, depth != 0);
            }
        } catch (FileAlreadyExistsException e) {
            throw new DavStatusException(DavErrors.status(e, DavErrors.Context.OVERWRITE), "destination exists");
        }
        if (existing == null) {
            ex.response().setHeader("Location", ex.href(dest, src.isCollection()));
        }
        ex.sendStatus(existing == null ? 201 : 204, null);
    }

    private static DavPath destination(DavExchange ex) throws DavStatusException {
        String d = ex.header("Destination");
        if (d == null || d.isBlank()) {
            throw new DavStatusException(400, "Destination header missing");
        }
        if (d.contains("://")) {
            URI u;
            try {
                u = URI.create(d.trim());
            } catch (IllegalArgumentException e) {
                throw new DavStatusException(400, "bad Destination");
            }
            String host = ex.request().getServerName();
            if (u.getHost() != null && !u.getHost().equalsIgnoreCase(host)
                    && !(isLoopback(u.getHost()) && isLoopback(host))) {
                throw new DavStatusException(502, "destination on another server");
            }
        }
        try {
            return ex.parse(d.trim());
        } catch (DavStatusException e) {
            // A path outside our base path is another server as far as we can tell.
            throw e.status() == 404 ? new DavStatusException(502, "destination outside this server") : e;
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }
}
