package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathFileResource;
import io.sklad.webdav.fs.PathFolderResource;
import io.sklad.webdav.fs.PathResource;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * GET and HEAD with conditional headers and single byte ranges (including suffix ranges), done here
 * rather than in Milton, whose range code answers 206 to unsatisfiable ranges and fails on suffixes.
 */
final class GetHandler extends DavHandler {

    GetHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"GET", "HEAD"};
    }

    /** An inclusive byte range. */
    record ByteRange(long start, long end) {
        long length() {
            return end - start + 1;
        }
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        PathResource r = dav.find(ex, target);
        if (r == null) {
            throw new DavStatusException(404, "not found");
        }
        dav.checkIf(ex, target);
        HttpServletResponse resp = ex.response();
        resp.setHeader("ETag", r.etag());
        resp.setHeader("Last-Modified", DavServices.httpDate(r.attributes().lastModifiedTime().toInstant()));
        dav.checkHttpConditions(ex, r, true);
        boolean head = ex.method().equals("HEAD");
        if (r instanceof PathFolderResource folder) {
            listing(ex, folder, head);
            return;
        }
        PathFileResource file = (PathFileResource) r;
        long size = file.attributes().size();
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setContentType(file.getContentType(null));
        ByteRange range = rangeFor(ex, file, size);
        if (range == null) {
            resp.setStatus(200);
            resp.setContentLengthLong(size);
            if (!head) {
                try (OutputStream out = resp.getOutputStream()) {
                    file.copyTo(out, 0, size);
                }
            }
            return;
        }
        resp.setStatus(206);
        resp.setHeader("Content-Range", "bytes " + range.start() + "-" + range.end() + "/" + size);
        resp.setContentLengthLong(range.length());
        if (!head) {
            try (OutputStream out = resp.getOutputStream()) {
                file.copyTo(out, range.start(), range.length());
            }
        }
    }

    /** The range to serve, or null for the whole entity; 416 when no requested byte exists. */
    private static ByteRange rangeFor(DavExchange ex, PathFileResource file, long size) throws DavStatusException {
        String header = ex.header("Range");
        if (header == null) {
            return null;
        }
        String ifRange = ex.header("If-Range");
        if (ifRange != null && !ifRange.trim().equals(file.etag())
                && !ifRange.trim().equals(DavServices.httpDate(file.attributes().lastModifiedTime().toInstant()))) {
            return null;
        }
        ByteRange r;
        try {
            r = parseRange(header, size);
        } catch (IllegalArgumentException e) {
            return null; // a syntactically invalid Range is ignored (RFC 9110 §14.2)
        }
        if (r == null) {
            ex.response().setHeader("Content-Range", "bytes */" + size);
            throw new DavStatusException(416, "range not satisfiable");
        }
        return r;
    }

    /**
     * Parses a single {@code bytes=} range against the entity size.
     *
     * @return the range clipped to the entity, or null when unsatisfiable
     * @throws IllegalArgumentException when the header is not one valid byte range (multiple ranges
     *                                  are served as the whole entity, which RFC 9110 allows)
     */
    static ByteRange parseRange(String header, long size) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            throw new IllegalArgumentException("not a byte range");
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            throw new IllegalArgumentException("multiple ranges");
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("no dash");
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        if (a.isEmpty()) {
            long suffix = Long.parseLong(b);
            if (suffix < 0) {
                throw new IllegalArgumentException("negative suffix");
            }
            if (suffix == 0 || size == 0) {
                return null;
            }
            return new ByteRange(Math.max(0, size - suffix), size - 1);
        }
        long start = Long.parseLong(a);
        long end = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad range");
        }
        if (start >= size) {
            return null;
        }
        return new ByteRange(start, Math.min(end, size - 1));
    }

    private static void listing(DavExchange ex, PathFolderResource folder, boolean head) throws IOException {
        HttpServletResponse resp = ex.response();
        resp.setStatus(200);
        resp.setContentType("text/html; charset=utf-8");
        if (head) {
            return;
        }
        try (Writer w = new BufferedWriter(new OutputStreamWriter(resp.getOutputStream(), StandardCharsets.UTF_8))) {
            String title = DavXml.escape(ex.href(folder.davPath(), true));
            w.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title
                    + "</title></head><body><h1>" + title + "</h1><ul>\n");
            folder.forEachChild(c -> w.write("<li><a href=\"" + DavXml.escapeAttr(ex.href(c.davPath(), c.isCollection()))
                    + "\">" + DavXml.escape(c.getName()) + (c.isCollection() ? "/" : "") + "</a></li>\n"));
            w.write("</ul></body></html>\n");
        }
    }
}
