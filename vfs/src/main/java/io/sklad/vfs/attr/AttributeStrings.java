package io.sklad.vfs.attr;

import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The string form of attributes ({@code "unix:*"}, {@code "posix:permissions,size"}, {@code "lastModifiedTime"})
 * with the names, types and view inclusion of the JDK's default provider on Linux: {@code owner} ⊂
 * {@code posix} ⊃ {@code basic}, and {@code unix} includes {@code posix}.
 */
public final class AttributeStrings {

    public static final Set<String> VIEWS = Set.of("basic", "owner", "posix", "unix");

    private static final List<String> BASIC = List.of("lastModifiedTime", "lastAccessTime", "creationTime", "size",
            "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
    private static final List<String> POSIX = List.of("permissions", "owner", "group");
    private static final List<String> UNIX = List.of("mode", "ino", "dev", "rdev", "nlink", "uid", "gid", "ctime");

    private AttributeStrings() {
    }

    /** Splits "view:names" into the view (default basic) and the names. */
    private static String[] split(String attributes) {
        int colon = attributes.indexOf(':');
        return colon < 0 ? new String[]{"basic", attributes}
                : new String[]{attributes.substring(0, colon), attributes.substring(colon + 1)};
    }

    private static List<String> namesOf(String view) {
        return switch (view) {
            case "basic" -> BASIC;
            case "owner" -> List.of("owner");
            case "posix" -> concat(BASIC, POSIX);
            case "unix" -> concat(concat(BASIC, POSIX), UNIX);
            default -> throw new UnsupportedOperationException("View '" + view + "' not available");
        };
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** Reads named attributes, the way {@code Files.readAttributes(path, String)} does. */
    public static Map<String, Object> read(String attributes, SkladFileAttributes a) {
        String[] parts = split(attributes);
        String view = parts[0];
        List<String> known = namesOf(view);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : parts[1].split(",")) {
            if (name.equals("*")) {
                for (String n : known) {
                    out.put(n, value(n, a));
                }
            } else if (known.contains(name)) {
                out.put(name, value(name, a));
            } else {
                throw new IllegalArgumentException("'" + name + "' not recognized");
            }
        }
        return out;
    }

    private static Object value(String name, SkladFileAttributes a) {
        return switch (name) {
            case "lastModifiedTime" -> a.lastModifiedTime();
            case "lastAccessTime" -> a.lastAccessTime();
            case "creationTime" -> a.creationTime();
            case "size" -> a.size();
            case "isRegularFile" -> a.isRegularFile();
            case "isDirectory" -> a.isDirectory();
            case "isSymbolicLink" -> a.isSymbolicLink();
            case "isOther" -> a.isOther();
            case "fileKey" -> a.fileKey();
            case "permissions" -> a.permissions();
            case "owner" -> a.owner();
            case "group" -> a.group();
            case "mode" -> a.mode();
            case "ino" -> a.ino();
            case "dev" -> a.dev();
            case "rdev" -> a.rdev();
            case "nlink" -> a.nlink();
            case "uid" -> a.uid();
            case "gid" -> a.gid();
            case "ctime" -> a.ctime();
            default -> throw new IllegalArgumentException("'" + name + "' not recognized");
        };
    }

    /** Sets one attribute, the way {@code Files.setAttribute(path, String, Object)} does. */
    @SuppressWarnings("unchecked")
    public static void set(String attribute, Object value, SkladAttributeView view) throws IOException {
        String[] parts = split(attribute);
        List<String> known = namesOf(parts[0]);
        String name = parts[1];
        if (!known.contains(name)) {
            throw new IllegalArgumentException("'" + attribute + "' not recognized");
        }
        try {
            switch (name) {
                case "lastModifiedTime" -> view.setTimes((FileTime) value, null, null);
                case "lastAccessTime" -> view.setTimes(null, (FileTime) value, null);
                case "creationTime" -> view.setTimes(null, null, (FileTime) value);
                case "permissions" -> view.setPermissions((Set<PosixFilePermission>) value);
                case "owner" -> view.setOwner((UserPrincipal) value);
                case "group" -> view.setGroup((GroupPrincipal) value);
                case "mode" -> view.setMode((Integer) value);
                case "uid" -> view.setUid((Integer) value);
                case "gid" -> view.setGid((Integer) value);
                default -> throw new IllegalArgumentException("'" + attribute + "' cannot be set");
            }
        } catch (ClassCastException e) {
            throw new ClassCastException("wrong type for '" + attribute + "': " + value.getClass().getName());
        }
    }
}
