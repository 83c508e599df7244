package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import java.io.IOException;
import java.nio.file.Files;

/** MKCOL: 405 when something exists, 415 with a body, 409 without a parent collection. */
final class MkcolHandler extends DavHandler {

    MkcolHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"MKCOL"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        if (ex.hasBody()) {
            throw new DavStatusException(415, "MKCOL with a body is not supported");
        }
        if (target.isRoot() || dav.find(ex, target) != null) {
            throw new DavStatusException(405, "resource exists");
        }
        PathResource parent = dav.find(ex, target.parent());
        if (parent == null || !parent.isCollection()) {
            throw new DavStatusException(409, "parent collection does not exist");
        }
        dav.checkIf(ex, target);
        dav.requireUnlocked(ex, target, false, true);
        try {
            Files.createDirectory(dav.fileOf(ex, target));
        } catch (IOException e) {
            ex.sendStatus(DavErrors.status(e, DavErrors.Context.CREATE), null);
            return;
        }
        ex.response().setHeader("Location", ex.href(target, true));
        ex.sendStatus(201, null);
    }
}
