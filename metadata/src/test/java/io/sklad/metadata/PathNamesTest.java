package io.sklad.metadata;

import io.sklad.metadata.namespace.PathNames;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathNamesTest {
    @Test
    void splitsAndValidates() {
        assertThat(PathNames.split("/")).isEmpty();
        assertThat(PathNames.split("")).isEmpty();
        assertThat(PathNames.split("/a/b/")).containsExactly("a", "b");
        assertThat(PathNames.split("a/b")).containsExactly("a", "b");
        for (String bad : new String[] {"/a//b", "/./x", "/x/..", "/a\0", "//", "/" + "é".repeat(128)}) {
            assertThatThrownBy(() -> PathNames.split(bad)).isInstanceOf(MetadataException.class)
                    .satisfies(e -> assertThat(((MetadataException) e).code()).isEqualTo(MetaError.INVALID_NAME));
        }
        assertThat(PathNames.problem("é".repeat(127))).isNull();
    }
}
