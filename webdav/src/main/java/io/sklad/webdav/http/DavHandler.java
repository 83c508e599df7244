package io.sklad.webdav.http;

import io.milton.http.Handler;
import io.milton.http.HttpManager;
import io.milton.http.Request;
import io.milton.http.Response;
import io.milton.resource.Resource;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of our Milton handlers: finds the {@link DavExchange} the servlet attached, runs the method and
 * maps every failure through {@link DavErrors} in one place.
 */
abstract class DavHandler implements Handler {

    private static final Logger log = LoggerFactory.getLogger(DavHandler.class);

    protected final DavServices dav;

    DavHandler(DavServices dav) {
        this.dav = dav;
    }

    /** Handles one request; throw {@link DavStatusException} or a {@code java.nio.file} exception to fail it. */
    abstract void handle(DavExchange ex) throws IOException, DavStatusException;

    @Override
    public final void process(HttpManager manager, Request request, Response response) {
        DavExchange ex = DavExchange.of(request);
        if (ex == null) {
            response.setStatus(Response.Status.SC_INTERNAL_SERVER_ERROR);
            return;
        }
        try {
            handle(ex);
        } catch (DavStatusException e) {
            reply(ex, e.status(), e.condition());
        } catch (IOException | RuntimeException e) {
            int status = DavErrors.status(e);
            if (ex.response().isCommitted()) {
                // Mid-stream: almost always the client going away; nothing more can be said to it.
                log.debug("{} {} aborted: {}", ex.method(), ex.request().getRequestURI(), e.toString());
                return;
            }
            if (status >= 500 && status != DavErrors.INSUFFICIENT_STORAGE) {
                log.warn("{} {} failed", ex.method(), ex.request().getRequestURI(), e);
            } else {
                log.debug("{} {} -> {}: {}", ex.method(), ex.request().getRequestURI(), status, e.toString());
            }
            reply(ex, status, null);
        }
    }

    private static void reply(DavExchange ex, int status, String condition) {
        try {
            ex.sendStatus(status, condition);
        } catch (IOException e) {
            log.debug("could not send status {}: {}", status, e.toString());
        }
    }

    @Override
    public boolean isCompatible(Resource res) {
        return true;
    }
}
