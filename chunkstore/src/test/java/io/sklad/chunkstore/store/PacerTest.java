package io.sklad.chunkstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PacerTest {

    @Test
    void keepsToTheRate() {
        Pacer pacer = new Pacer(4L << 20);
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(pacer.acquire(512 * 1024)).isTrue();
        }
        // The first half MiB goes at once, the other four wait 1/8 s each.
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
    }

    @Test
    void unlimitedNeverWaits() {
        Pacer pacer = new Pacer(0);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(pacer.acquire(1L << 30)).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void stopWakesWaitersAtOnce() throws Exception {
        Pacer pacer = new Pacer(1);
        assertThat(pacer.acquire(1000)).isTrue(); // the next acquire would wait 1000 s
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> pacer.acquire(1));
        CompletableFuture<Boolean> pausing = CompletableFuture.supplyAsync(() -> pacer.pause(60_000));
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        long t = System.nanoTime();
        pacer.stop();
        assertThat(waiting.get()).isFalse();
        assertThat(pausing.get()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(1));
        assertThat(pacer.acquire(1)).isFalse();
    }
}
