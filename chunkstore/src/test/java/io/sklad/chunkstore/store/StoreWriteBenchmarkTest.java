package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWriteBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void smallRunMeasuresBothSidesAndCleansUp() throws Exception {
        StoreWriteBenchmark.Result r = StoreWriteBenchmark.run(dir, 4 * 1024 * 1024, 65536, 16);

        assertThat(r.bytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(r.storeMBps()).isPositive();
        assertThat(r.plainMBps()).isPositive();
        assertThat(r.ratio()).isEqualTo(r.storeMBps() / r.plainMBps());
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
