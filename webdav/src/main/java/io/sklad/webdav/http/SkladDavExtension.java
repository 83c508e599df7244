package io.sklad.webdav.http;

import io.milton.http.HttpExtension;
import io.milton.http.http11.CustomPostHandler;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Our WebDAV method handlers as one Milton {@link HttpExtension}. Registered after Milton's own
 * protocols, it replaces their handlers method by method (Milton CE has no LOCK/UNLOCK at all, and its
 * range, PROPPATCH-order and error-status handling do not pass litmus).
 */
public final class SkladDavExtension implements HttpExtension {

    private final Set<io.milton.http.Handler> handlers = new LinkedHashSet<>();

    public SkladDavExtension(DavServices dav) {
        handlers.add(new OptionsHandler(dav));
        handlers.add(new GetHandler(dav));
        handlers.add(new PutHandler(dav));
        handlers.add(new DeleteHandler(dav));
        handlers.add(new MkcolHandler(dav));
        handlers.add(new CopyMoveHandler(dav));
        handlers.add(new PropFindHandler(dav));
        handlers.add(new PropPatchHandler(dav));
        handlers.add(new LockHandler(dav));
        handlers.add(new UnlockHandler(dav));
        handlers.add(new DavHandler(dav) {
            @Override
            public String[] getMethods() {
                return new String[] {"POST", "PATCH", "TRACE", "CONNECT", "REPORT", "ACL", "MKCALENDAR"};
            }

            @Override
            void handle(DavExchange ex) throws IOException {
                ex.response().setHeader("Allow", OptionsHandler.ALLOW);
                ex.sendStatus(405, null);
            }
        });
    }

    @Override
    public Set<io.milton.http.Handler> getHandlers() {
        return handlers;
    }

    @Override
    public List<CustomPostHandler> getCustomPostHandlers() {
        return List.of();
    }
}
