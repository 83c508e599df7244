package io.sklad.metadata.gc;

import io.sklad.metadata.repair.HealingFixture;
import io.sklad.metadata.store.EntryKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.sklad.metadata.repair.HealingFixture.ADMIN;
import static io.sklad.metadata.repair.HealingFixture.id;
import static org.assertj.core.api.Assertions.assertThat;

/** Properties of a deleted file go when retention purges its history; the volume root's stay. */
class PropertiesPurgeTest {

    final HealingFixture f = new HealingFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Makes /f{n} in the volume, gives it {@code props} properties, deletes it and purges expired history. */
    private long deleteAndPurge(String volume, int props) {
        f.volume(volume, 1);
        f.store.setVolumeRetention(volume, 1000);
        String path = "/f" + (volume.equals("plain") ? 0 : 1);
        f.file(volume, id(volume), "n1");
        for (int i = 0; i < props; i++) {
            f.store.setProperties(ADMIN, volume, path, Map.of("p" + i, new byte[] {1, 2, 3}), List.of());
        }
        f.store.setProperties(ADMIN, volume, "/", Map.of("root", new byte[] {9}), List.of());
        f.store.delete(ADMIN, volume, path, false, EntryKind.FILE);
        f.clock.advance(Duration.ofSeconds(2));
        return f.store.purgeExpiredHistory();
    }

    @Test
    void aPurgedFileTakesItsPropertiesAlong() {
        f.node("n1", "s1");
        long plain = deleteAndPurge("plain", 0);
        long withProps = deleteAndPurge("props", 3);
        assertThat(withProps).as("the same history plus the 3 property rows").isEqualTo(plain + 3);
        assertThat(f.store.getProperties(ADMIN, "props", "/")).containsOnlyKeys("root");
        assertThat(f.store.getProperties(ADMIN, "plain", "/")).containsOnlyKeys("root");
    }
}
