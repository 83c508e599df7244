package io.sklad.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IfHeaderTest {

    private static final IfHeader.ResourceState LOCKED =
            new IfHeader.ResourceState("\"e1\"", Set.of("opaquelocktoken:a"));

    @Test
    void untaggedListsAreOredAndConditionsAnded() {
        assertThat(IfHeader.parse("(<opaquelocktoken:a> [\"e1\"])").evaluate(t -> LOCKED)).isTrue();
        assertThat(IfHeader.parse("(<opaquelocktoken:a> [\"e2\"])").evaluate(t -> LOCKED)).isFalse();
        assertThat(IfHeader.parse("(<opaquelocktoken:b>) (Not <DAV:no-lock>)").evaluate(t -> LOCKED)).isTrue();
        assertThat(IfHeader.parse("(<DAV:no-lock>)").evaluate(t -> LOCKED)).isFalse();
        assertThat(IfHeader.parse("(Not <DAV:no-lock> [W/\"e1\"])").evaluate(t -> LOCKED)).isTrue();
    }

    @Test
    void taggedListsApplyToTheirResource() {
        IfHeader h = IfHeader.parse("<http://h/dav/x> (<opaquelocktoken:a>) </dav/y> ([\"zz\"])");
        Map<String, IfHeader.ResourceState> states = Map.of("http://h/dav/x", IfHeader.ResourceState.MISSING,
                "/dav/y", new IfHeader.ResourceState("\"zz\"", Set.of()));
        assertThat(h.evaluate(states::get)).isTrue();
        assertThat(h.lists()).extracting(IfHeader.ConditionList::resourceTag).containsExactly("http://h/dav/x", "/dav/y");
        assertThat(h.stateTokens()).containsExactly("opaquelocktoken:a");
    }

    @Test
    void malformedHeadersAreRejected() {
        assertThatThrownBy(() -> IfHeader.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IfHeader.parse("(<a>")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IfHeader.parse("()")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IfHeader.parse("<x>")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IfHeader.parse("(<a>) <x> (<b>)")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IfHeader.parse("(foo)")).isInstanceOf(IllegalArgumentException.class);
    }
}
