package io.sklad.vfs.fs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A path in a {@link SkladFileSystem}: {@code /VOLUME/dir/file}, with {@code /} the (read-only) root that
 * lists the volumes. Behaves like the JDK's Unix paths: repeated and trailing slashes collapse, NUL is
 * rejected, {@code .} and {@code ..} stay until {@link #normalize()}; relative paths resolve against {@code /}.
 */
public final class SkladPath implements Path {

    private static final String[] NO_NAMES = new String[0];

    private final SkladFileSystem fs;
    private final String path;
    private final String[] names;

    SkladPath(SkladFileSystem fs, String input) {
        this.fs = Objects.requireNonNull(fs);
        this.path = clean(input);
        if (path.isEmpty()) {
            names = new String[]{""};
        } else if (path.equals("/")) {
            names = NO_NAMES;
        } else {
            names = (path.startsWith("/") ? path.substring(1) : path).split("/");
        }
    }

    static String clean(String input) {
        if (input.indexOf('\0') >= 0) {
            throw new InvalidPathException(input.replace('\0', '?'), "Nul character not allowed");
        }
        StringBuilder sb = new StringBuilder(input.length());
        char prev = 0;
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == '/' && prev == '/') {
                continue;
            }
            sb.append(c);
            prev = c;
        }
        if (sb.length() > 1 && sb.charAt(sb.length() - 1) == '/') {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private SkladPath of(String p) {
        return new SkladPath(fs, p);
    }

    private static SkladPath check(Path other) {
        if (other == null) {
            throw new NullPointerException();
        }
        if (!(other instanceof SkladPath p)) {
            throw new ProviderMismatchException("not a Sklad path: " + other);
        }
        return p;
    }

    /** The name components (empty for the root). */
    List<String> names() {
        return path.isEmpty() ? List.of() : Arrays.asList(names);
    }

    @Override
    public SkladFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return path.startsWith("/");
    }

    @Override
    public Path getRoot() {
        return isAbsolute() ? of("/") : null;
    }

    @Override
    public Path getFileName() {
        if (path.isEmpty()) {
            return this;
        }
        if (names.length == 0) {
            return null;
        }
        return names.length == 1 && !isAbsolute() ? this : of(names[names.length - 1]);
    }

    @Override
    public Path getParent() {
        if (names.length == 0 || path.isEmpty()) {
            return null;
        }
        if (names.length == 1) {
            return getRoot();
        }
        return of((isAbsolute() ? "/" : "") + String.join("/", Arrays.copyOf(names, names.length - 1)));
    }

    @Override
    public int getNameCount() {
        return names.length;
    }

    @Override
    public Path getName(int index) {
        if (index < 0 || index >= names.length) {
            throw new IllegalArgumentException("no name at " + index + " in " + path);
        }
        return of(names[index]);
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
            throw new IllegalArgumentException("bad subpath [" + beginIndex + ", " + endIndex + ") of " + path);
        }
        return of(String.join("/", Arrays.copyOfRange(names, beginIndex, endIndex)));
    }

    @Override
    public boolean startsWith(Path other) {
        if (!(other instanceof SkladPath o) || o.fs != fs) {
            return false;
        }
        if (o.isAbsolute() != isAbsolute() || o.names.length > names.length) {
            return false;
        }
        if (o.path.isEmpty()) {
            return path.isEmpty();
        }
        for (int i = 0; i < o.names.length; i++) {
            if (!o.names[i].equals(names[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean endsWith(Path other) {
        if (!(other instanceof SkladPath o) || o.fs != fs) {
            return false;
        }
        if (o.isAbsolute()) {
            return o.path.equals(path);
        }
        if (o.path.isEmpty()) {
            return path.isEmpty();
        }
        if (o.names.length > names.length) {
            return false;
        }
        for (int i = 1; i <= o.names.length; i++) {
            if (!o.names[o.names.length - i].equals(names[names.length - i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n.equals(".") || n.isEmpty()) {
                continue;
            }
            if (n.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                    continue;
                }
                if (isAbsolute()) {
                    continue; // ".." of the root is the root
                }
            }
            out.add(n);
        }
        String joined = String.join("/", out);
        return of(isAbsolute() ? "/" + joined : joined);
    }

    @Override
    public Path resolve(Path other) {
        SkladPath o = check(other);
        if (o.isAbsolute()) {
            return o;
        }
        if (o.path.isEmpty()) {
            return this;
        }
        if (path.isEmpty()) {
            return o;
        }
        return of(path.equals("/") ? "/" + o.path : path + "/" + o.path);
    }

    @Override
    public Path relativize(Path other) {
        SkladPath o = check(other);
        if (o.isAbsolute() != isAbsolute()) {
            throw new IllegalArgumentException("'other' is different type of Path");
        }
        List<String> mine = names();
        List<String> theirs = o.names();
        int common = 0;
        while (common < mine.size() && common < theirs.size() && mine.get(common).equals(theirs.get(common))) {
            common++;
        }
        List<String> out = new ArrayList<>();
        for (int i = common; i < mine.size(); i++) {
            out.add("..");
        }
        out.addAll(theirs.subList(common, theirs.size()));
        return of(String.join("/", out));
    }

    @Override
    public URI toUri() {
        try {
            return new URI(SkladFileSystemProvider.SCHEME, fs.authority(), toAbsolutePath().toString(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot build a URI for " + path, e);
        }
    }

    @Override
    public SkladPath toAbsolutePath() {
        return isAbsolute() ? this : (SkladPath) of("/").resolve(this);
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return fs.realPath(this, !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("watching is not supported by Sklad");
    }

    @Override
    public int compareTo(Path other) {
        return path.compareTo(((SkladPath) other).path);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkladPath p && p.fs == fs && p.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path;
    }
}
