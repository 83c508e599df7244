package io.sklad.webdav.http;

import java.io.IOException;

/** OPTIONS: advertises class 1 and 2 (locking) and the methods we serve. */
final class OptionsHandler extends DavHandler {

    static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK";

    OptionsHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"OPTIONS"};
    }

    @Override
    void handle(DavExchange ex) throws IOException {
        ex.response().setHeader("DAV", "1, 2");
        ex.response().setHeader("Allow", ALLOW);
        ex.response().setHeader("Accept-Ranges", "bytes");
        ex.response().setStatus(200);
        ex.response().setContentLength(0);
    }
}
