package io.sklad.webdav.http;

import io.sklad.webdav.fs.PathResource;
import io.sklad.webdav.lock.DavLock;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * Live properties (computed from attributes, locks and the file store) and their XML, plus the names
 * PROPPATCH may not touch. Dead properties live in {@link io.sklad.webdav.fs.DeadProperties}.
 */
final class DavProperties {

    static final String MS = "urn:schemas-microsoft-com:";

    static final QName CREATIONDATE = dav("creationdate");
    static final QName GETCONTENTLENGTH = dav("getcontentlength");
    static final QName GETCONTENTTYPE = dav("getcontenttype");
    static final QName GETETAG = dav("getetag");
    static final QName GETLASTMODIFIED = dav("getlastmodified");
    static final QName RESOURCETYPE = dav("resourcetype");
    static final QName LOCKDISCOVERY = dav("lockdiscovery");
    static final QName SUPPORTEDLOCK = dav("supportedlock");
    static final QName QUOTA_AVAILABLE = dav("quota-available-bytes");
    static final QName QUOTA_USED = dav("quota-used-bytes");
    static final QName WIN32_CREATION = new QName(MS, "Win32CreationTime");
    static final QName WIN32_MODIFIED = new QName(MS, "Win32LastModifiedTime");
    static final QName WIN32_ACCESS = new QName(MS, "Win32LastAccessTime");
    static final QName WIN32_ATTRIBUTES = new QName(MS, "Win32FileAttributes");

    /** Returned for allprop (RFC 4918 §9.1); quota and Win32 properties only when asked for. */
    static final List<QName> ALLPROP = List.of(CREATIONDATE, GETCONTENTLENGTH, GETCONTENTTYPE, GETETAG,
            GETLASTMODIFIED, RESOURCETYPE, LOCKDISCOVERY, SUPPORTEDLOCK);

    /** Live properties a client cannot set (403 cannot-modify-protected-property). */
    static final Set<QName> PROTECTED = Set.of(CREATIONDATE, GETCONTENTLENGTH, GETCONTENTTYPE, GETETAG,
            GETLASTMODIFIED, RESOURCETYPE, LOCKDISCOVERY, SUPPORTEDLOCK, QUOTA_AVAILABLE, QUOTA_USED);

    /** Win32 times that PROPPATCH applies to the file instead of storing. */
    static final Set<QName> WIN32_TIMES = Set.of(WIN32_CREATION, WIN32_MODIFIED, WIN32_ACCESS);

    /** Win32 file attribute bits (fileapi.h) that name nothing a store must keep. */
    private static final int WIN32_DIRECTORY = 0x10;
    private static final int WIN32_NEUTRAL = WIN32_DIRECTORY
            | 0x20      // ARCHIVE: "changed since the last backup", set by Windows on every write
            | 0x80      // NORMAL: no other attribute
            | 0x100     // TEMPORARY: a caching hint
            | 0x2000;   // NOT_CONTENT_INDEXED: a hint to the indexer

    private static final String SUPPORTEDLOCK_XML = "<D:supportedlock>"
            + "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
            + "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
            + "</D:supportedlock>";

    private final DavServices dav;
    private final DavExchange ex;
    private FileStore store;

    DavProperties(DavServices dav, DavExchange ex) {
        this.dav = dav;
        this.ex = ex;
    }

    static QName dav(String local) {
        return new QName(DavXml.DAV, local);
    }

    /** The property as a complete XML element, or null when the resource has no such property. */
    String value(PathResource r, QName q, Map<QName, String> deadProps) throws IOException {
        String live = live(r, q);
        if (live != null) {
            return live;
        }
        if (deadProps != null) {
            return deadProps.get(q);
        }
        return dav.deadProperties().read(r.path(), q).orElse(null);
    }

    private String live(PathResource r, QName q) throws IOException {
        BasicFileAttributes a = r.attributes();
        if (DavXml.DAV.equals(q.getNamespaceURI())) {
            return switch (q.getLocalPart()) {
                case "creationdate" -> el("creationdate", DateTimeFormatter.ISO_INSTANT.format(
                        a.creationTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                case "getcontentlength" -> r.isCollection() ? null : el("getcontentlength", Long.toString(a.size()));
                case "getcontenttype" -> r.isCollection() ? null
                        : el("getcontenttype", DavXml.escape(((io.sklad.webdav.fs.PathFileResource) r).getContentType(null)));
                case "getetag" -> el("getetag", DavXml.escape(r.etag()));
                case "getlastmodified" -> el("getlastmodified", DavServices.httpDate(a.lastModifiedTime().toInstant()));
                case "resourcetype" -> r.isCollection() ? "<D:resourcetype><D:collection/></D:resourcetype>"
                        : "<D:resourcetype/>";
                case "lockdiscovery" -> lockDiscovery(dav.locks().covering(r.path()));
                case "supportedlock" -> SUPPORTEDLOCK_XML;
                case "quota-available-bytes" -> quota(r.path(), true);
                case "quota-used-bytes" -> quota(r.path(), false);
                default -> null;
            };
        }
        if (MS.equals(q.getNamespaceURI())) {
            return switch (q.getLocalPart()) {
                case "Win32CreationTime" -> ms(q, DavServices.httpDate(a.creationTime().toInstant()));
                case "Win32LastModifiedTime" -> ms(q, DavServices.httpDate(a.lastModifiedTime().toInstant()));
                case "Win32LastAccessTime" -> ms(q, DavServices.httpDate(a.lastAccessTime().toInstant()));
                case "Win32FileAttributes" -> {
                    String stored = dav.deadProperties().read(r.path(), q).orElse(null);
                    yield stored != null ? stored : ms(q, r.isCollection() ? "00000010" : "00000020");
                }
                default -> null;
            };
        }
        return null;
    }

    /**
     * Whether a {@code Win32FileAttributes} value (8 hex digits) asks for nothing beyond what the
     * resource already is: no read-only, hidden or system bit, and the directory bit only on a collection.
     */
    static boolean win32AttributesImplied(PathResource r, String value) {
        int bits;
        try {
            bits = Integer.parseUnsignedInt(value == null ? "" : value.trim(), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        if ((bits & WIN32_DIRECTORY) != 0 && !r.isCollection()) {
            return false;
        }
        return (bits & ~WIN32_NEUTRAL) == 0;
    }

    private String quota(Path p, boolean available) throws IOException {
        if (store == null) {
            store = Files.getFileStore(p);
        }
        long v = available ? store.getUsableSpace() : store.getTotalSpace() - store.getUnallocatedSpace();
        return el(available ? "quota-available-bytes" : "quota-used-bytes", Long.toString(Math.max(0, v)));
    }

    String lockDiscovery(List<DavLock> locks) {
        StringBuilder sb = new StringBuilder("<D:lockdiscovery>");
        for (DavLock l : locks) {
            sb.append(activeLock(l));
        }
        return sb.append("</D:lockdiscovery>").toString();
    }

    String activeLock(DavLock l) {
        long secs = Math.max(0, l.expiresAt().getEpochSecond() - Instant.now().getEpochSecond());
        StringBuilder sb = new StringBuilder("<D:activelock>")
                .append("<D:locktype><D:write/></D:locktype>")
                .append("<D:lockscope>").append(l.exclusive() ? "<D:exclusive/>" : "<D:shared/>").append("</D:lockscope>")
                .append("<D:depth>").append(l.deep() ? "infinity" : "0").append("</D:depth>");
        if (l.ownerXml() != null && !l.ownerXml().isEmpty()) {
            sb.append("<D:owner>").append(l.ownerXml()).append("</D:owner>");
        }
        sb.append("<D:timeout>Second-").append(secs).append("</D:timeout>")
                .append("<D:locktoken><D:href>").append(DavXml.escape(l.token())).append("</D:href></D:locktoken>")
                .append("<D:lockroot><D:href>").append(DavXml.escape(lockRootHref(l))).append("</D:href></D:lockroot>")
                .append("</D:activelock>");
        return sb.toString();
    }

    private String lockRootHref(DavLock l) {
        Path root = ex.session().root();
        // the lock may have been taken through another user's file system over the same tree
        Path lockRoot = root.getFileSystem().getPath(l.root().toString());
        if (!lockRoot.startsWith(root)) {
            return ex.request().getRequestURI();
        }
        List<String> segs = new ArrayList<>();
        for (Path part : root.relativize(lockRoot)) {
            String s = part.toString();
            if (!s.isEmpty()) {
                segs.add(s);
            }
        }
        return ex.href(new DavPath(segs), Files.isDirectory(l.root()));
    }

    /** An empty element naming {@code q}, for 404 propstats and propname answers. */
    static String empty(QName q) {
        if (DavXml.DAV.equals(q.getNamespaceURI())) {
            return "<D:" + q.getLocalPart() + "/>";
        }
        if (q.getNamespaceURI().isEmpty()) {
            return "<" + q.getLocalPart() + "/>";
        }
        return "<X:" + q.getLocalPart() + " xmlns:X=\"" + DavXml.escapeAttr(q.getNamespaceURI()) + "\"/>";
    }

    private static String el(String local, String text) {
        return "<D:" + local + ">" + text + "</D:" + local + ">";
    }

    private static String ms(QName q, String text) {
        return "<Z:" + q.getLocalPart() + " xmlns:Z=\"" + MS + "\">" + text + "</Z:" + q.getLocalPart() + ">";
    }
}
