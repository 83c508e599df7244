package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathFolderResource;
import io.sklad.webdav.fs.PathResource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.namespace.QName;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * PROPFIND with Depth 0 or 1 (infinity is refused with {@code propfind-finite-depth}, RFC 4918 §9.1),
 * for named properties, allprop (with include) and propname. The multistatus is streamed child by
 * child, so folders of many thousands of entries cost one attribute read each and no big buffers.
 */
final class PropFindHandler extends DavHandler {

    private enum Mode { PROP, ALLPROP, PROPNAME }

    private record Query(Mode mode, List<QName> names) {
    }

    PropFindHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"PROPFIND"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        int depth = ex.depth(-1);
        if (depth == -1) {
            throw new DavStatusException(403, "propfind-finite-depth", "Depth infinity is not supported");
        }
        Query query = parse(ex);
        PathResource r = dav.find(ex, target);
        if (r == null) {
            throw new DavStatusException(404, "not found");
        }
        dav.checkIf(ex, target);
        DavProperties props = new DavProperties(dav, ex);
        ex.response().setStatus(207);
        ex.response().setContentType("application/xml; charset=utf-8");
        try (Writer w = new BufferedWriter(new OutputStreamWriter(ex.response().getOutputStream(),
                StandardCharsets.UTF_8), 64 * 1024)) {
            w.write("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n");
            respond(w, ex, props, r, query);
            if (depth == 1 && r instanceof PathFolderResource folder) {
                folder.forEachChild(child -> respond(w, ex, props, child, query));
            }
            w.write("</D:multistatus>\n");
        }
    }

    private void respond(Writer w, DavExchange ex, DavProperties props, PathResource r, Query q) throws IOException {
        w.write("<D:response><D:href>");
        w.write(DavXml.escape(ex.href(r.davPath(), r.isCollection())));
        w.write("</D:href>");
        switch (q.mode()) {
            case PROPNAME -> {
                StringBuilder sb = new StringBuilder();
                for (QName n : DavProperties.ALLPROP) {
                    if (props.value(r, n, Map.of()) != null) {
                        sb.append(DavProperties.empty(n));
                    }
                }
                for (QName n : dav.deadProperties().readAll(r.path()).keySet()) {
                    sb.append(DavProperties.empty(n));
                }
                propstat(w, sb, "200 OK");
            }
            case ALLPROP -> {
                Map<QName, String> dead = dav.deadProperties().readAll(r.path());
                StringBuilder ok = new StringBuilder();
                StringBuilder missing = new StringBuilder();
                Set<QName> names = new LinkedHashSet<>(DavProperties.ALLPROP);
                names.addAll(dead.keySet());
                names.addAll(q.names());
                for (QName n : names) {
                    String v = props.value(r, n, dead);
                    if (v != null) {
                        ok.append(v);
                    } else if (q.names().contains(n)) {
                        missing.append(DavProperties.empty(n));
                    }
                }
                propstat(w, ok, "200 OK");
                propstat(w, missing, "404 Not Found");
            }
            case PROP -> {
                StringBuilder ok = new StringBuilder();
                StringBuilder missing = new StringBuilder();
                for (QName n : q.names()) {
                    String v = props.value(r, n, null);
                    if (v != null) {
                        ok.append(v);
                    } else {
                        missing.append(DavProperties.empty(n));
                    }
                }
                propstat(w, ok, "200 OK");
                propstat(w, missing, "404 Not Found");
            }
            default -> throw new IllegalStateException();
        }
        w.write("</D:response>\n");
    }

    private static void propstat(Writer w, StringBuilder content, String status) throws IOException {
        if (content.length() == 0) {
            return;
        }
        w.write("<D:propstat><D:prop>");
        w.append(content);
        w.write("</D:prop><D:status>HTTP/1.1 ");
        w.write(status);
        w.write("</D:status></D:propstat>");
    }

    private static Query parse(DavExchange ex) throws IOException, DavStatusException {
        if (!ex.hasBody()) {
            return new Query(Mode.ALLPROP, List.of());
        }
        byte[] body = ex.smallBody();
        if (body.length == 0) {
            return new Query(Mode.ALLPROP, List.of());
        }
        Document doc = DavXml.parse(body);
        Element root = doc.getDocumentElement();
        if (!DavXml.is(root, DavXml.DAV, "propfind")) {
            throw new DavStatusException(400, "expected DAV:propfind");
        }
        Element prop = DavXml.child(root, DavXml.DAV, "prop");
        if (prop != null) {
            return new Query(Mode.PROP, names(prop));
        }
        if (DavXml.child(root, DavXml.DAV, "propname") != null) {
            return new Query(Mode.PROPNAME, List.of());
        }
        if (DavXml.child(root, DavXml.DAV, "allprop") != null) {
            Element include = DavXml.child(root, DavXml.DAV, "include");
            return new Query(Mode.ALLPROP, include == null ? List.of() : names(include));
        }
        throw new DavStatusException(400, "propfind needs prop, allprop or propname");
    }

    private static List<QName> names(Element parent) {
        List<QName> out = new ArrayList<>();
        for (Element e : DavXml.children(parent)) {
            QName q = DavXml.qname(e);
            if (!out.contains(q)) {
                out.add(q);
            }
        }
        return out;
    }
}
