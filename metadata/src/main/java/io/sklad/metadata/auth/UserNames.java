package io.sklad.metadata.auth;

import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;

import java.util.regex.Pattern;

/**
 * User names: 1..64 characters of {@code [A-Za-z0-9._-]}, not starting with '-' (it would read as an option
 * on a command line), and not {@code .} or {@code ..} (names end up in paths of client profiles).
 */
public final class UserNames {
    public static final int MAX_LENGTH = 64;
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,63}");

    private UserNames() {
    }

    /** Whether {@code name} is a legal user name. */
    public static boolean isValid(String name) {
        return name != null && LEGAL.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** Throws INVALID_ARGUMENT unless {@code name} is a legal user name. */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new MetadataException(MetaError.INVALID_ARGUMENT, "invalid user name '" + printable(name)
                    + "': use 1.." + MAX_LENGTH + " of A-Z a-z 0-9 . _ -, not starting with '-'");
        }
        return name;
    }

    private static String printable(String name) {
        if (name == null) {
            return "";
        }
        String cut = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
