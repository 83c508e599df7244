package io.sklad.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The kernel's view of what is mounted where, from {@code /proc/self/mountinfo}. */
final class MountTable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One mount.
     *
     * @param mountPoint where it is mounted
     * @param fsType     file system type, {@code fuse.<subtype>} for FUSE
     * @param source     what is mounted ({@code fsname} for FUSE)
     */
    record Entry(Path mountPoint, String fsType, String source) {
    }

    private MountTable() {
    }

    /** The mount at exactly this (absolute, real) path; the topmost when several are stacked. */
    static Optional<Entry> find(Path mountPoint) throws IOException {
        Entry found = null;
        for (Entry entry : read()) {
            if (entry.mountPoint().equals(mountPoint)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            Entry entry = parse(line);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * One line: {@code id parent major:minor root mountpoint options [optional...] - type source
     * superoptions}; spaces and backslashes inside fields are octal escapes.
     */
    static Entry parse(String line) {
        String[] fields = line.split(" ");
        int separator = List.of(fields).indexOf("-");
        if (fields.length < 5 || separator < 0 || separator + 2 >= fields.length) {
            return null;
        }
        return new Entry(Path.of(unescape(fields[4])), unescape(fields[separator + 1]),
                unescape(fields[separator + 2]));
    }

    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
