package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import java.io.IOException;
import java.nio.file.Path;

/** DELETE of a file or a whole collection; locks on the removed resources are dropped. */
final class DeleteHandler extends DavHandler {

    DeleteHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"DELETE"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        if (ex.request().getRequestURI().contains("#")) {
            throw new DavStatusException(400, "fragment in request URI");
        }
        PathResource r = dav.find(ex, target);
        if (r == null) {
            throw new DavStatusException(404, "not found");
        }
        if (target.isRoot()) {
            throw new DavStatusException(403, "cannot delete the root collection");
        }
        if (r.isCollection() && ex.depth(-1) != -1) {
            throw new DavStatusException(400, "DELETE of a collection needs Depth: infinity");
        }
        dav.checkIf(ex, target);
        dav.checkHttpConditions(ex, r, false);
        dav.requireUnlocked(ex, target, true, true);
        Path file = r.path();
        dav.requireRemovable(file);
        dav.tree().deleteTree(file);
        dav.locks().removeWithin(file);
        ex.sendStatus(204, null);
    }
}
