package io.sklad.webdav.http;

import io.sklad.webdav.fs.DeadProperties;
import io.sklad.webdav.fs.PathResource;
import io.sklad.webdav.fs.PathResourceFactory;
import io.sklad.webdav.fs.TreeOperations;
import io.sklad.webdav.lock.DavLock;
import io.sklad.webdav.lock.DavLockManager;
import io.sklad.webdav.lock.IfHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every handler shares: the lock manager, dead properties, tree operations, and the checks of
 * the {@code If} header, lock tokens and HTTP conditional headers.
 */
public final class DavServices {

    private final DavLockManager locks;
    private final DeadProperties deadProperties;
    private final TreeOperations tree;
    private final Duration maxLockTimeout;
    private final PathResourceFactory resources;

    public DavServices(DavLockManager locks, DeadProperties deadProperties, Duration maxLockTimeout,
                       PathResourceFactory resources) {
        this.resources = resources;
        this.locks = locks;
        this.deadProperties = deadProperties;
        this.tree = new TreeOperations(deadProperties);
        this.maxLockTimeout = maxLockTimeout;
    }

    public DavLockManager locks() {
        return locks;
    }

    public DeadProperties deadProperties() {
        return deadProperties;
    }

    public TreeOperations tree() {
        return tree;
    }

    /** The entity tag of a resource with these attributes. */
    public String etag(java.nio.file.attribute.BasicFileAttributes a) {
        return resources.entityTags().of(a);
    }

    public Duration maxLockTimeout() {
        return maxLockTimeout;
    }

    /** The resource at {@code p} for this session, or null. */
    public PathResource find(DavExchange ex, DavPath p) throws IOException {
        return resources.find(ex.session().root(), p);
    }

    public Path fileOf(DavExchange ex, DavPath p) {
        return p.resolve(ex.session().root());
    }

    /** Parsed If header, or null when absent; 400 when malformed. */
    public IfHeader ifHeader(DavExchange ex) throws DavStatusException {
        String h = ex.header("If");
        if (h == null || h.isBlank()) {
            return null;
        }
        try {
            return IfHeader.parse(h);
        } catch (IllegalArgumentException e) {
            throw new DavStatusException(400, "malformed If header");
        }
    }

    /** Evaluates the If header against the current state of the resources it names; 412 when false. */
    public void checkIf(DavExchange ex, DavPath target) throws DavStatusException, IOException {
        IfHeader h = ifHeader(ex);
        if (h == null) {
            return;
        }
        Map<String, IfHeader.ResourceState> cache = new LinkedHashMap<>();
        boolean ok = h.evaluate(tag -> cache.computeIfAbsent(tag == null ? "" : tag, t -> {
            try {
                DavPath p = t.isEmpty() ? target : ex.parse(t);
                return stateOf(ex, p);
            } catch (DavStatusException | IOException e) {
                // A tag naming something we cannot resolve matches nothing.
                return IfHeader.ResourceState.MISSING;
            }
        }));
        if (!ok) {
            throw new DavStatusException(412, "If header evaluated to false");
        }
    }

    private IfHeader.ResourceState stateOf(DavExchange ex, DavPath p) throws IOException {
        Path file = fileOf(ex, p);
        PathResource r = resources.find(ex.session().root(), p);
        Set<String> tokens = new HashSet<>();
        for (DavLock l : locks.covering(file)) {
            tokens.add(l.token());
        }
        return new IfHeader.ResourceState(r == null ? null : r.etag(), tokens);
    }

    /** Lock tokens this request submitted (named in its If header) that belong to its user. */
    public Set<String> submittedTokens(DavExchange ex) throws DavStatusException {
        IfHeader h = ifHeader(ex);
        Set<String> out = new HashSet<>();
        if (h == null) {
            return out;
        }
        for (String t : h.stateTokens()) {
            locks.find(t).filter(l -> l.principal().equals(ex.session().user())).ifPresent(l -> out.add(t));
        }
        return out;
    }

    /**
     * Refuses (423) to modify {@code target} while a lock whose token was not submitted protects it:
     * locks covering it, with {@code deep} also locks anywhere below it, and with {@code membership}
     * also locks on its parent (adding or removing a member changes the parent).
     */
    public void requireUnlocked(DavExchange ex, DavPath target, boolean deep, boolean membership)
            throws DavStatusException {
        Path file = fileOf(ex, target);
        List<DavLock> relevant = new ArrayList<>(locks.covering(file));
        if (deep) {
            relevant.addAll(locks.within(file));
        }
        if (membership && !target.isRoot()) {
            relevant.addAll(locks.covering(fileOf(ex, target.parent())));
        }
        if (relevant.isEmpty()) {
            return;
        }
        Set<String> submitted = submittedTokens(ex);
        for (DavLock l : relevant) {
            if (!submitted.contains(l.token())) {
                throw new DavStatusException(423, "lock-token-submitted", "resource is locked");
            }
        }
    }

    /**
     * Refuses (403) to remove {@code file} from its parent when the parent may not be written. Checked
     * before DELETE, or a COPY/MOVE that replaces a destination, starts removing children one by one: a
     * tree that refuses only the last step (the Sklad file system keeps its volume roots, below a
     * read-only root) would otherwise be left emptied behind a 403.
     */
    public void requireRemovable(Path file) throws DavStatusException {
        Path parent = file.getParent();
        if (parent == null || !Files.isWritable(parent)) {
            throw new DavStatusException(403, "cannot remove " + file.getFileName() + " from its parent");
        }
    }

    /** IMF-fixdate (RFC 9110 §5.6.7): a two-digit day, unlike the JDK's RFC_1123_DATE_TIME output. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(ZoneOffset.UTC);

    public static String httpDate(Instant t) {
        return HTTP_DATE.format(t);
    }

    private static Instant parseHttpDate(String s) {
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * HTTP conditional headers (RFC 9110 §13): If-Match / If-Unmodified-Since fail with 412;
     * If-None-Match / If-Modified-Since answer 304 for reads and 412 for writes.
     *
     * @param r the current resource, or null when absent
     */
    public void checkHttpConditions(DavExchange ex, PathResource r, boolean read) throws DavStatusException {
        String ifMatch = ex.header("If-Match");
        if (ifMatch != null) {
            if (r == null || !(ifMatch.trim().equals("*") || listContains(ifMatch, r.etag()))) {
                throw new DavStatusException(412, "If-Match failed");
            }
        } else {
            String ius = ex.header("If-Unmodified-Since");
            Instant t = ius == null ? null : parseHttpDate(ius);
            if (t != null && r != null && seconds(r) > t.getEpochSecond()) {
                throw new DavStatusException(412, "If-Unmodified-Since failed");
            }
        }
        String ifNoneMatch = ex.header("If-None-Match");
        if (ifNoneMatch != null) {
            if (r != null && (ifNoneMatch.trim().equals("*") || listContains(ifNoneMatch, r.etag()))) {
                throw new DavStatusException(read ? 304 : 412, "If-None-Match matched");
            }
        } else if (read && r != null) {
            String ims = ex.header("If-Modified-Since");
            Instant t = ims == null ? null : parseHttpDate(ims);
            if (t != null && seconds(r) <= t.getEpochSecond()) {
                throw new DavStatusException(304, "not modified");
            }
        }
    }

    private static long seconds(PathResource r) {
        return r.attributes().lastModifiedTime().toInstant().getEpochSecond();
    }

    private static boolean listContains(String header, String etag) {
        for (String part : header.split(",")) {
            String t = part.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
