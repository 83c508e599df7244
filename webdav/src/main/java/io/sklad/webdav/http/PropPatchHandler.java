package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.namespace.QName;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * PROPPATCH: dead properties stored as user extended attributes (on Sklad: the master's per-file
 * properties), the Win32 times Windows sets applied to the file itself. On a store without extended attributes dead properties are refused (403), except a
 * {@code Win32FileAttributes} value that only repeats what the resource implies, which Explorer sends
 * after every copy. Instructions apply in document order and all or nothing (RFC 4918 §9.2): any
 * protected or unsupported property fails the whole request (403/409 for it, 424 for the rest) before
 * anything is written.
 */
final class PropPatchHandler extends DavHandler {

    private record Op(QName name, String elementXml, String text) {
        boolean remove() {
            return elementXml == null;
        }
    }

    PropPatchHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"PROPPATCH"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        List<Op> ops = parse(ex.smallBody());
        PathResource r = dav.find(ex, target);
        if (r == null) {
            throw new DavStatusException(404, "not found");
        }
        dav.checkIf(ex, target);
        dav.requireUnlocked(ex, target, false, false);
        // a read-only grant may not change properties (nor learn per property what it could not change)
        if (!Files.isWritable(r.path())) {
            throw new DavStatusException(403, "no write access");
        }

        Map<QName, String> failures = new LinkedHashMap<>();
        boolean deadSupported = dav.deadProperties().supported(r.path());
        for (Op op : ops) {
            if (DavProperties.PROTECTED.contains(op.name())) {
                failures.put(op.name(), "403 Forbidden");
            } else if (DavProperties.WIN32_TIMES.contains(op.name())) {
                if (!op.remove() && parseTime(op.text()) == null) {
                    failures.put(op.name(), "409 Conflict");
                }
            } else if (op.name().equals(DavProperties.WIN32_ATTRIBUTES) && !deadSupported) {
                // Explorer sets this after every copy; without a place to keep it, accept what the
                // resource already implies and refuse the rest (read-only, hidden, system ...).
                if (!op.remove() && !DavProperties.win32AttributesImplied(r, op.text())) {
                    failures.put(op.name(), "409 Conflict");
                }
            } else if (!deadSupported) {
                failures.put(op.name(), "403 Forbidden");
            }
        }
        if (failures.isEmpty()) {
            Op refused = apply(r, ops, deadSupported);
            if (refused != null) {
                failures.put(refused.name(), "507 Insufficient Storage");
            }
        }
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">")
                .append("<D:response><D:href>").append(DavXml.escape(ex.href(target, r.isCollection()))).append("</D:href>");
        Map<String, StringBuilder> byStatus = new LinkedHashMap<>();
        for (Op op : ops) {
            String status = failures.isEmpty() ? "200 OK" : failures.getOrDefault(op.name(), "424 Failed Dependency");
            byStatus.computeIfAbsent(status, s -> new StringBuilder()).append(DavProperties.empty(op.name()));
        }
        for (Map.Entry<String, StringBuilder> e : byStatus.entrySet()) {
            sb.append("<D:propstat><D:prop>").append(e.getValue()).append("</D:prop><D:status>HTTP/1.1 ")
                    .append(e.getKey()).append("</D:status></D:propstat>");
        }
        sb.append("</D:response></D:multistatus>\n");
        ex.sendXml(207, sb.toString());
    }

    /**
     * Applies the instructions: dead properties first, one by one, undone if the store refuses one (over its
     * limits), then the Win32 times. Returns the refused instruction, or null when all were applied.
     */
    private Op apply(PathResource r, List<Op> ops, boolean deadSupported) throws IOException {
        // Later instructions win, so applying the final state per name is the same as document order.
        Map<QName, Op> last = new LinkedHashMap<>();
        for (Op op : ops) {
            last.put(op.name(), op);
        }
        if (deadSupported) {
            Map<QName, String> before = dav.deadProperties().readAll(r.path());
            List<QName> done = new ArrayList<>();
            for (Op op : last.values()) {
                if (DavProperties.WIN32_TIMES.contains(op.name())) {
                    continue;
                }
                try {
                    if (op.remove()) {
                        dav.deadProperties().remove(r.path(), op.name());
                    } else {
                        dav.deadProperties().write(r.path(), op.name(), op.elementXml());
                    }
                    done.add(op.name());
                } catch (IOException e) {
                    int status = DavErrors.status(e);
                    undo(r, before, done);
                    if (status == 400 || status == DavErrors.INSUFFICIENT_STORAGE) {
                        return op; // too big, too many: the store's limits
                    }
                    throw e;
                }
            }
        }
        BasicFileAttributeView times = Files.getFileAttributeView(r.path(), BasicFileAttributeView.class);
        for (Op op : last.values()) {
            if (DavProperties.WIN32_TIMES.contains(op.name()) && !op.remove()) {
                FileTime t = FileTime.from(parseTime(op.text()).toInstant());
                QName n = op.name();
                times.setTimes(n.equals(DavProperties.WIN32_MODIFIED) ? t : null,
                        n.equals(DavProperties.WIN32_ACCESS) ? t : null,
                        n.equals(DavProperties.WIN32_CREATION) ? t : null);
            }
            // without dead property support, Win32FileAttributes the resource already implies: nothing to keep
        }
        return null;
    }

    /** Puts back what {@code done} changed: all or nothing (RFC 4918 §9.2). */
    private void undo(PathResource r, Map<QName, String> before, List<QName> done) throws IOException {
        for (QName q : done) {
            String old = before.get(q);
            if (old == null) {
                dav.deadProperties().remove(r.path(), q);
            } else {
                dav.deadProperties().write(r.path(), q, old);
            }
        }
    }

    private static ZonedDateTime parseTime(String s) {
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        } catch (DateTimeParseException | NullPointerException e) {
            try {
                return ZonedDateTime.parse(s.trim(), DateTimeFormatter.ISO_DATE_TIME);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static List<Op> parse(byte[] body) throws DavStatusException {
        if (body.length == 0) {
            throw new DavStatusException(400, "PROPPATCH needs a body");
        }
        Document doc = DavXml.parse(body);
        Element root = doc.getDocumentElement();
        if (!DavXml.is(root, DavXml.DAV, "propertyupdate")) {
            throw new DavStatusException(400, "expected DAV:propertyupdate");
        }
        List<Op> ops = new ArrayList<>();
        for (Element instr : DavXml.children(root)) {
            boolean set = DavXml.is(instr, DavXml.DAV, "set");
            if (!set && !DavXml.is(instr, DavXml.DAV, "remove")) {
                continue;
            }
            Element prop = DavXml.child(instr, DavXml.DAV, "prop");
            if (prop == null) {
                throw new DavStatusException(400, "set/remove without prop");
            }
            for (Element p : DavXml.children(prop)) {
                QName q = DavXml.qname(p);
                ops.add(set ? new Op(q, DavXml.serialize(p), p.getTextContent()) : new Op(q, null, null));
            }
        }
        if (ops.isEmpty()) {
            throw new DavStatusException(400, "no properties to update");
        }
        return ops;
    }
}
