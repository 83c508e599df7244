package io.sklad.webdav.http;

import io.sklad.webdav.lock.DavLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** UNLOCK: the Lock-Token must name a live lock of this user that covers the request URI. */
final class UnlockHandler extends DavHandler {

    UnlockHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"UNLOCK"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        String header = ex.header("Lock-Token");
        if (header == null) {
            throw new DavStatusException(400, "Lock-Token header missing");
        }
        String token = header.trim();
        if (token.startsWith("<") && token.endsWith(">")) {
            token = token.substring(1, token.length() - 1);
        }
        Path file = dav.fileOf(ex, target);
        Optional<DavLock> lock = dav.locks().find(token);
        if (lock.isEmpty() || !lock.get().covers(file)) {
            throw new DavStatusException(409, "lock-token-matches-request-uri", "no such lock on this resource");
        }
        if (!lock.get().principal().equals(ex.session().user())) {
            throw new DavStatusException(403, "lock belongs to another user");
        }
        dav.locks().unlock(token);
        ex.sendStatus(204, null);
    }
}
