package io.sklad.webdav.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A resource's location below the served root, as validated name segments. Parsing rejects every
 * segment that could escape the root or is no valid name, so {@link #resolve(Path)} never leaves it.
 */
public record DavPath(List<String> segments) {

    public static final DavPath ROOT = new DavPath(List.of());

    public DavPath {
        segments = List.copyOf(segments);
    }

    /**
     * Parses the raw (percent-encoded) URL path, which must start with {@code basePath}.
     *
     * @return null when the path is outside {@code basePath}
     * @throws DavErrors.InvalidNameException for an invalid segment or encoding
     */
    public static DavPath parse(String rawPath, String basePath) throws DavErrors.InvalidNameException {
        String p = rawPath == null ? "" : rawPath;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (!basePath.isEmpty()) {
            if (!p.equals(basePath) && !p.startsWith(basePath + "/")) {
                return null;
            }
            p = p.substring(basePath.length());
        }
        List<String> out = new ArrayList<>();
        for (String raw : p.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            out.add(validate(decode(raw)));
        }
        return new DavPath(out);
    }

    private static String validate(String name) throws DavErrors.InvalidNameException {
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new DavErrors.InvalidNameException("invalid name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new DavErrors.InvalidNameException("name too long");
        }
        return name;
    }

    private static String decode(String s) throws DavErrors.InvalidNameException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new DavErrors.InvalidNameException("bad percent encoding");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new DavErrors.InvalidNameException("bad percent encoding");
                }
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    public String name() {
        return isRoot() ? "" : segments.get(segments.size() - 1);
    }

    public DavPath parent() {
        return isRoot() ? this : new DavPath(segments.subList(0, segments.size() - 1));
    }

    public DavPath child(String name) {
        List<String> s = new ArrayList<>(segments);
        s.add(name);
        return new DavPath(s);
    }

    public Path resolve(Path root) {
        Path p = root;
        for (String s : segments) {
            p = p.resolve(s);
        }
        return p;
    }

    /** The encoded URL path under {@code basePath}; collections end with a slash. */
    public String href(String basePath, boolean collection) {
        StringBuilder sb = new StringBuilder(basePath);
        for (String s : segments) {
            sb.append('/').append(encode(s));
        }
        if (collection || segments.isEmpty()) {
            sb.append('/');
        }
        return sb.toString();
    }

    /** Whether {@code other} is this path or below it. */
    public boolean contains(DavPath other) {
        return other.segments.size() >= segments.size()
                && other.segments.subList(0, segments.size()).equals(segments);
    }

    private static final String UNRESERVED = "-._~!$&'()*+,;=:@";

    static String encode(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 0x80 && UNRESERVED.indexOf(c) >= 0 && c != '&' && c != '\'')) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
