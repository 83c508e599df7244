package io.sklad.webdav.http;

import io.milton.http.Request;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One request as our handlers see it: the servlet request and response (Milton's own abstractions
 * lack statuses like 416 and give no say over the body), the authenticated session and the parsed target.
 */
public final class DavExchange {

    static final String ATTRIBUTE = DavExchange.class.getName();

    /** Largest XML request body accepted (PROPFIND, PROPPATCH, LOCK); they are small in practice. */
    static final int MAX_XML_BODY = 1 << 20;

    /** Largest remainder of a refused request's body read and dropped to keep the connection open. */
    static final long DRAIN_LIMIT = 4L << 20;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final DavSession session;
    private final String basePath;
    private DavPath target;

    DavExchange(HttpServletRequest request, HttpServletResponse response, DavSession session, String basePath) {
        this.request = request;
        this.response = response;
        this.session = session;
        this.basePath = basePath;
    }

    /** The exchange the servlet attached to a Milton request, or null. */
    public static DavExchange of(Request request) {
        Object o = request.getAttributes().get(ATTRIBUTE);
        return o instanceof DavExchange ex ? ex : null;
    }

    public HttpServletRequest request() {
        return request;
    }

    public HttpServletResponse response() {
        return response;
    }

    public DavSession session() {
        return session;
    }

    public String basePath() {
        return basePath;
    }

    public String method() {
        return request.getMethod();
    }

    public String header(String name) {
        return request.getHeader(name);
    }

    /** The request URL as a validated path; 400 for invalid names, 404 outside the base path. */
    public DavPath target() throws DavStatusException {
        if (target == null) {
            target = parse(request.getRequestURI());
        }
        return target;
    }

    /** Parses a URL path or an absolute URL (Destination, If tags) into a path of this tree. */
    public DavPath parse(String urlOrPath) throws DavStatusException {
        String raw = urlOrPath;
        if (raw.contains("://")) {
            try {
                raw = URI.create(raw).getRawPath();
            } catch (IllegalArgumentException e) {
                throw new DavStatusException(400, "bad URL");
            }
        }
        try {
            DavPath p = DavPath.parse(raw, basePath);
            if (p == null) {
                throw new DavStatusException(404, "outside the served tree");
            }
            return p;
        } catch (DavErrors.InvalidNameException e) {
            throw new DavStatusException(400, e.getMessage());
        }
    }

    public String href(DavPath p, boolean collection) {
        return p.href(basePath, collection);
    }

    /** Whether the request carries a body (a length above zero or a chunked transfer). */
    public boolean hasBody() {
        return hasBody(request);
    }

    static boolean hasBody(HttpServletRequest request) {
        long len = request.getContentLengthLong();
        return len > 0 || (len < 0 && request.getHeader("Transfer-Encoding") != null);
    }

    /**
     * Before an answer given without reading the request body to its end (a refused PUT, a 401): reads
     * and drops what is left of a body up to {@link #DRAIN_LIMIT}, so the kept-alive connection stays
     * usable; a bigger one (or one the client has not sent yet, waiting for 100 Continue) gets
     * {@code Connection: close}. Without this Jetty closes the connection after the answer, sometimes
     * without saying so, and with unread bytes in the socket the client may lose the answer itself.
     */
    static void finishUnreadBody(HttpServletRequest request, HttpServletResponse response) {
        if (response.isCommitted() || !hasBody(request)) {
            return;
        }
        try {
            ServletInputStream in = request.getInputStream();
            if (in.isFinished()) {
                return;
            }
            String expect = request.getHeader("Expect");
            if (request.getContentLengthLong() > DRAIN_LIMIT
                    || (expect != null && expect.toLowerCase(java.util.Locale.ROOT).contains("100-continue"))) {
                response.setHeader("Connection", "close");
                return;
            }
            byte[] buf = new byte[16 * 1024];
            for (long left = DRAIN_LIMIT; left > 0; ) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                left -= n;
            }
            response.setHeader("Connection", "close");
        } catch (IOException | IllegalStateException e) {
            response.setHeader("Connection", "close");
        }
    }

    /** Reads a small XML body completely; 413 when it exceeds {@link #MAX_XML_BODY}. */
    public byte[] smallBody() throws IOException, DavStatusException {
        if (request.getContentLengthLong() > MAX_XML_BODY) {
            throw new DavStatusException(413, "request body too large");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = request.getInputStream()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_XML_BODY) {
                    throw new DavStatusException(413, "request body too large");
                }
            }
        }
        return out.toByteArray();
    }

    /** Depth header: 0, 1 or -1 for infinity; {@code dflt} when absent; 400 when invalid. */
    public int depth(int dflt) throws DavStatusException {
        String d = request.getHeader("Depth");
        if (d == null) {
            return dflt;
        }
        return switch (d.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "0" -> 0;
            case "1" -> 1;
            case "infinity" -> -1;
            default -> throw new DavStatusException(400, "bad Depth header");
        };
    }

    /** Overwrite header: true unless "F"; 400 when neither T nor F. */
    public boolean overwrite() throws DavStatusException {
        String o = request.getHeader("Overwrite");
        if (o == null) {
            return true;
        }
        return switch (o.trim()) {
            case "T", "t" -> true;
            case "F", "f" -> false;
            default -> throw new DavStatusException(400, "bad Overwrite header");
        };
    }

    /** Answers with a status and no body, or with a {@code DAV:error} body naming the precondition. */
    public void sendStatus(int status, String condition) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        finishUnreadBody(request, response);
        response.setStatus(status);
        if (condition == null) {
            response.setContentLength(0);
            return;
        }
        byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:" + condition
                + "/></D:error>\n").getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/xml; charset=utf-8");
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }

    public void sendXml(int status, String xml) throws IOException {
        finishUnreadBody(request, response);
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/xml; charset=utf-8");
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }
}
