package io.sklad.webdav.http;

import io.milton.http.HttpManager;
import io.milton.servlet.ServletRequest;
import io.milton.servlet.ServletResponse;
import io.sklad.webdav.auth.BasicAuthenticator;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * The servlet in front of Milton. Overrides {@code service} (HttpServlet would answer 501 to every
 * WebDAV method), authenticates with HTTP Basic before anything touches the tree, adds the headers
 * Windows and macOS look for, and hands the request to Milton's {@link HttpManager}.
 */
public final class DavServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HttpManager manager;
    private final transient BasicAuthenticator authenticator;
    private final String basePath;

    public DavServlet(HttpManager manager, BasicAuthenticator authenticator, String basePath) {
        this.manager = manager;
        this.authenticator = authenticator;
        this.basePath = basePath;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // Windows' WebDAV redirector only treats the server as writable with this header.
        resp.setHeader("MS-Author-Via", "DAV");
        Optional<DavSession> session = authenticator.authenticate(req.getHeader("Authorization"), req.getRemoteAddr());
        if (session.isEmpty()) {
            DavExchange.finishUnreadBody(req, resp);
            resp.setHeader("WWW-Authenticate", "Basic realm=\"Sklad\", charset=\"UTF-8\"");
            resp.setStatus(401);
            resp.setContentLength(0);
            return;
        }
        String uri = req.getRequestURI();
        if (!basePath.isEmpty() && !uri.equals(basePath) && !uri.startsWith(basePath + "/")) {
            outsideBase(req, resp);
            return;
        }
        // Milton's ServletRequest also parks itself in a thread-local that only Milton's package can
        // clear; the next request on this thread overwrites it, so at most one stale reference per thread.
        ServletRequest mreq = new ServletRequest(req, getServletContext());
        mreq.getAttributes().put(DavExchange.ATTRIBUTE, new DavExchange(req, resp, session.get(), basePath));
        manager.process(mreq, new ServletResponse(resp));
    }

    /** Clients probe the server root (OPTIONS /, PROPFIND /): say DAV is here, nothing else. */
    private static void outsideBase(HttpServletRequest req, HttpServletResponse resp) {
        DavExchange.finishUnreadBody(req, resp);
        if (req.getMethod().equals("OPTIONS")) {
            resp.setHeader("DAV", "1, 2");
            resp.setHeader("Allow", OptionsHandler.ALLOW);
            resp.setStatus(200);
        } else {
            resp.setStatus(404);
        }
        resp.setContentLength(0);
    }
}
