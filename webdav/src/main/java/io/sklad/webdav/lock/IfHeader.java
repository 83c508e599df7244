package io.sklad.webdav.lock;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The WebDAV {@code If} request header (RFC 4918 §10.4): lists of state-token and entity-tag conditions,
 * optionally tagged with the resource they apply to. The header holds when at least one list holds for
 * its resource; a list holds when all its conditions do.
 */
public final class IfHeader {

    /** One condition: {@code [Not] <state-token>} or {@code [Not] ["etag"]}. */
    public record Condition(boolean not, String stateToken, String etag) {
    }

    /** One parenthesised list; {@code resourceTag} is null for the request URI. */
    public record ConditionList(String resourceTag, List<Condition> conditions) {
    }

    /** What the evaluator needs to know about a resource. */
    public record ResourceState(String etag, Set<String> lockTokens) {
        /** A resource that does not exist: no entity tag, no locks. */
        public static final ResourceState MISSING = new ResourceState(null, Set.of());
    }

    private final List<ConditionList> lists;

    private IfHeader(List<ConditionList> lists) {
        this.lists = List.copyOf(lists);
    }

    public List<ConditionList> lists() {
        return lists;
    }

    /** Every state token named anywhere in the header: these count as submitted lock tokens. */
    public Set<String> stateTokens() {
        Set<String> out = new LinkedHashSet<>();
        for (ConditionList l : lists) {
            for (Condition c : l.conditions()) {
                if (c.stateToken() != null) {
                    out.add(c.stateToken());
                }
            }
        }
        return out;
    }

    /**
     * @param stateOf maps a resource tag (null = the request URI) to the resource's current state
     */
    public boolean evaluate(Function<String, ResourceState> stateOf) {
        for (ConditionList l : lists) {
            ResourceState state = stateOf.apply(l.resourceTag());
            if (holds(l, state)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(ConditionList list, ResourceState state) {
        for (Condition c : list.conditions()) {
            boolean match;
            if (c.stateToken() != null) {
                match = state.lockTokens().contains(c.stateToken());
            } else {
                match = state.etag() != null && stripWeak(state.etag()).equals(stripWeak(c.etag()));
            }
            if (match == c.not()) {
                return false;
            }
        }
        return true;
    }

    private static String stripWeak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    /**
     * Parses the header value.
     *
     * @throws IllegalArgumentException when it does not follow the grammar
     */
    public static IfHeader parse(String value) {
        Parser p = new Parser(value);
        List<ConditionList> lists = new ArrayList<>();
        String tag = null;
        Boolean tagged = null;
        p.skipSpace();
        while (!p.atEnd()) {
            char ch = p.peek();
            if (ch == '<') {
                if (Boolean.FALSE.equals(tagged)) {
                    throw new IllegalArgumentException("resource tag after untagged list");
                }
                tagged = true;
                tag = p.angle();
                p.skipSpace();
                if (p.atEnd() || p.peek() != '(') {
                    throw new IllegalArgumentException("resource tag without list");
                }
            } else if (ch == '(') {
                if (tagged == null) {
                    tagged = false;
                }
                lists.add(new ConditionList(tag, p.list()));
            } else {
                throw new IllegalArgumentException("unexpected '" + ch + "' in If header");
            }
            p.skipSpace();
        }
        if (lists.isEmpty()) {
            throw new IllegalArgumentException("empty If header");
        }
        return new IfHeader(lists);
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return i >= s.length();
        }

        char peek() {
            return s.charAt(i);
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        String angle() {
            return delimited('<', '>');
        }

        String delimited(char open, char close) {
            if (atEnd() || s.charAt(i) != open) {
                throw new IllegalArgumentException("expected '" + open + "'");
            }
            int end = s.indexOf(close, i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated '" + open + "'");
            }
            String inner = s.substring(i + 1, end);
            i = end + 1;
            return inner;
        }

        List<Condition> list() {
            i++; // '('
            List<Condition> out = new ArrayList<>();
            while (true) {
                skipSpace();
                if (atEnd()) {
                    throw new IllegalArgumentException("unterminated list");
                }
                if (peek() == ')') {
                    i++;
                    break;
                }
                boolean not = false;
                if (s.regionMatches(true, i, "Not", 0, 3)) {
                    not = true;
                    i += 3;
                    skipSpace();
                }
                if (atEnd()) {
                    throw new IllegalArgumentException("unterminated list");
                }
                if (peek() == '<') {
                    out.add(new Condition(not, angle(), null));
                } else if (peek() == '[') {
                    out.add(new Condition(not, null, delimited('[', ']').trim()));
                } else {
                    throw new IllegalArgumentException("bad condition in If header");
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("empty list in If header");
            }
            return out;
        }
    }
}
