package io.sklad.webdav.http;

import io.milton.http.LockInfo;
import io.milton.http.LockInfoSaxHandler;
import io.milton.http.LockTimeout;
import io.sklad.webdav.fs.PathResource;
import io.sklad.webdav.lock.DavLock;
import io.sklad.webdav.lock.LockConflictException;
import io.sklad.webdav.lock.LockRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.xml.parsers.SAXParserFactory;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

/**
 * LOCK (RFC 4918 §9.10): new exclusive or shared write locks of depth 0 or infinity, refresh by an
 * empty body with the token in the If header, and locking an unmapped URL, which creates an empty file.
 * The body is parsed with Milton's {@link LockInfoSaxHandler}; the owner is kept as XML.
 */
final class LockHandler extends DavHandler {

    LockHandler(DavServices dav) {
        super(dav);
    }

    @Override
    public String[] getMethods() {
        return new String[] {"LOCK"};
    }

    @Override
    void handle(DavExchange ex) throws IOException, DavStatusException {
        DavPath target = ex.target();
        Duration timeout = timeout(ex);
        byte[] body = ex.hasBody() ? ex.smallBody() : new byte[0];
        if (body.length == 0) {
            refresh(ex, target, timeout);
            return;
        }
        Element root = DavXml.parse(body).getDocumentElement();
        if (!DavXml.is(root, DavXml.DAV, "lockinfo")) {
            throw new DavStatusException(400, "expected DAV:lockinfo");
        }
        Element owner = DavXml.child(root, DavXml.DAV, "owner");
        LockInfo info = lockInfo(body);
        if (info.scope == null || info.type == null || DavXml.child(root, DavXml.DAV, "lockscope") == null
                || DavXml.child(root, DavXml.DAV, "locktype") == null) {
            throw new DavStatusException(400, "lockinfo needs lockscope and locktype");
        }
        int depth = ex.depth(-1);
        if (depth == 1) {
            throw new DavStatusException(400, "Depth 1 is not valid for LOCK");
        }
        dav.checkIf(ex, target);
        PathResource r = dav.find(ex, target);
        boolean created = false;
        if (r == null) {
            PathResource parent = target.isRoot() ? null : dav.find(ex, target.parent());
            if (parent == null || !parent.isCollection()) {
                throw new DavStatusException(409, "parent collection does not exist");
            }
            dav.requireUnlocked(ex, target, false, true);
        }
        // A lock keeps writers out: only someone who may write the resource (or create it) may take one.
        Path file = dav.fileOf(ex, target);
        if (!Files.isWritable(r != null ? file : file.getParent())) {
            throw new DavStatusException(403, "no write access");
        }
        LockRequest req = new LockRequest(info.scope == LockInfo.LockScope.EXCLUSIVE, depth != 0,
                owner == null ? "" : DavXml.serializeContent(owner), ex.session().user(), timeout);
        if (r == null) {
            // RFC 4918 §7.3: locking an unmapped URL creates an empty resource. It is created first because
            // the file system's lock (a master lease on Sklad) needs an existing file; a failed lock removes it.
            try {
                Files.createFile(file);
                created = true;
            } catch (FileAlreadyExistsException raced) {
                created = false;
            }
        }
        DavLock lock;
        try {
            lock = dav.locks().lock(file, req);
        } catch (LockConflictException e) {
            removeCreated(file, created);
            throw new DavStatusException(423, "no-conflicting-lock", "conflicting lock");
        } catch (IOException | RuntimeException e) {
            removeCreated(file, created);
            throw e;
        }
        ex.response().setHeader("Lock-Token", "<" + lock.token() + ">");
        answer(ex, lock, created ? 201 : 200);
    }

    private static void removeCreated(Path file, boolean created) throws IOException {
        if (created) {
            Files.deleteIfExists(file);
        }
    }

    private void refresh(DavExchange ex, DavPath target, Duration timeout) throws IOException, DavStatusException {
        dav.checkIf(ex, target);
        var file = dav.fileOf(ex, target);
        for (String token : dav.submittedTokens(ex)) {
            Optional<DavLock> lock = dav.locks().find(token).filter(l -> l.covers(file));
            if (lock.isPresent()) {
                Optional<DavLock> renewed = dav.locks().refresh(token, timeout);
                if (renewed.isEmpty()) {
                    // the file system's lock under it was lost (it lapsed and another client took the file)
                    throw new DavStatusException(412, "lock-token-matches-request-uri", "the lock was lost");
                }
                answer(ex, renewed.get(), 200);
                return;
            }
        }
        throw new DavStatusException(412, "lock-token-matches-request-uri", "no lock to refresh");
    }

    private void answer(DavExchange ex, DavLock lock, int status) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop xmlns:D=\"DAV:\">"
                + new DavProperties(dav, ex).lockDiscovery(java.util.List.of(lock)) + "</D:prop>\n";
        ex.sendXml(status, xml);
    }

    private Duration timeout(DavExchange ex) {
        Duration max = dav.maxLockTimeout();
        String h = ex.header("Timeout");
        if (h == null) {
            return max;
        }
        LockTimeout t = LockTimeout.parseTimeout(h);
        Long secs = t == null ? null : t.getSeconds();
        if (secs == null || secs <= 0 || secs == Long.MAX_VALUE) {
            return max;
        }
        Duration d = Duration.ofSeconds(secs);
        return d.compareTo(max) > 0 ? max : d;
    }

    private static LockInfo lockInfo(byte[] body) throws DavStatusException {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            LockInfoSaxHandler handler = new LockInfoSaxHandler();
            f.newSAXParser().parse(new ByteArrayInputStream(body), handler);
            return handler.getInfo();
        } catch (SAXException | IOException | javax.xml.parsers.ParserConfigurationException e) {
            throw new DavStatusException(400, "malformed lockinfo");
        }
    }
}
