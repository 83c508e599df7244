package io.sklad.metadata.namespace;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates names and splits volume paths. The master is the last line of defence: every
 * component of every path is checked here, whatever the agent already did.
 */
public final class PathNames {
    /** Longest name in UTF-8 bytes, as in POSIX NAME_MAX. */
    public static final int MAX_NAME_BYTES = 255;

    private PathNames() {
    }

    /** Throws INVALID_NAME unless {@code name} is a legal single component. */
    public static String checkName(String name, String path) {
        String why = problem(name);
        if (why != null) {
            throw new MetadataException(MetaError.INVALID_NAME, why, path);
        }
        return name;
    }

    /** Why {@code name} is not a legal component, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty name";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'.' and '..' are not names";
        }
        if (name.indexOf('/') >= 0) {
            return "name contains '/'";
        }
        if (name.indexOf('\0') >= 0) {
            return "name contains NUL";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "name longer than " + MAX_NAME_BYTES + " bytes";
        }
        return null;
    }

    /**
     * Components of a path inside a volume. "" and "/" are the root; one trailing '/' is
     * tolerated; empty components ("a//b") and bad names are INVALID_NAME.
     */
    public static List<String> split(String path) {
        if (path == null) {
            return List.of();
        }
        String p = path;
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.isEmpty()) {
            return List.of();
        }
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
            if (p.isEmpty()) {
                throw new MetadataException(MetaError.INVALID_NAME, "empty name", path);
            }
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (true) {
            int slash = p.indexOf('/', start);
            String part = slash < 0 ? p.substring(start) : p.substring(start, slash);
            parts.add(checkName(part, path));
            if (slash < 0) {
                return parts;
            }
            start = slash + 1;
        }
    }
}
