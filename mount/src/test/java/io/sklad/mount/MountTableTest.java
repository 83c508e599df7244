package io.sklad.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void parsesAFuseLineWithEscapedSpaces() {
        MountTable.Entry entry = MountTable.parse("42 27 0:39 / /tmp/my\\040drive rw,nosuid,nodev,relatime"
                + " shared:1 - fuse.sklad sklad rw,user_id=0,group_id=0,default_permissions,allow_other");

        assertThat(entry.mountPoint()).isEqualTo(Path.of("/tmp/my drive"));
        assertThat(entry.fsType()).isEqualTo("fuse.sklad");
        assertThat(entry.source()).isEqualTo("sklad");
    }

    @Test
    void ignoresLinesItCannotRead() {
        assertThat(MountTable.parse("")).isNull();
        assertThat(MountTable.parse("1 2 3 4 5 6")).isNull();
    }

    @Test
    void readsThisProcessesMounts() throws Exception {
        assertThat(MountTable.read()).extracting(MountTable.Entry::mountPoint).contains(Path.of("/"));
    }

    @Test
    void optionsBecomeLibfuseArguments() {
        assertThat(MountOptions.defaults().withSingleThreaded(false).toFuseArguments().get(1))
                .startsWith("fsname=sklad,subtype=sklad,atomic_o_trunc,big_writes,default_permissions");
        MountOptions custom = new MountOptions("drive", false, false, false, true, true, false,
                Duration.ofSeconds(1), Duration.ofSeconds(1), List.of("ro"));
        assertThat(custom.toFuseArguments()).containsExactly("-s", "-o", "fsname=drive,subtype=drive,atomic_o_trunc,nonempty,ro");
        assertThat(custom.withExtraOptions(List.of("attr_timeout=10", "entry_timeout=2.5")).toFuseArguments().get(2))
                .endsWith(",nonempty,ro,attr_timeout=10,entry_timeout=2.5");
    }

    @Test
    void anOptionThatCouldCarryAnotherIsRefused() {
        MountOptions d = MountOptions.defaults();
        for (String bad : List.of("", "ro,rw", "allow_other,suid", "-d", "fsname=x y", "opt=a,b", "=1")) {
            assertThatThrownBy(() -> d.withExtraOptions(List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a mount option");
        }
    }
}
