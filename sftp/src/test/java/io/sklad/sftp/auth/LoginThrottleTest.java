package io.sklad.sftp.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(1), Duration.ofSeconds(8),
            Duration.ofSeconds(20), Duration.ofMinutes(15), 100, clock);

    @Test
    void freeFailuresThenDoublingDelays() {
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.admit("u", "1.2.3.4")).contains(Duration.ZERO);
            throttle.failed("u", "1.2.3.4");
        }
        assertThat(throttle.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        throttle.failed("u", "1.2.3.4");
        assertThat(throttle.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        throttle.failed("u", "1.2.3.4");
        assertThat(throttle.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(4));
    }

    @Test
    void parallelAttemptsQueueAndFarSlotsAreRefused() {
        for (int i = 0; i < 6; i++) {
            throttle.failed("u", "1.2.3.4");
        }
        // 6 failures, 3 free: each reserved slot is 8 s (the cap) after the one before
        assertThat(throttle.admit("u", "9.9.9.9")).contains(Duration.ofSeconds(8));
        assertThat(throttle.admit("u", "9.9.9.9")).contains(Duration.ofSeconds(16));
        assertThat(throttle.admit("u", "9.9.9.9")).isEqualTo(Optional.empty());
    }

    @Test
    void addressIsThrottledAcrossUserNames() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("user" + i, "6.6.6.6");
        }
        assertThat(throttle.admit("someone-else", "6.6.6.6")).contains(Duration.ofSeconds(1));
        assertThat(throttle.admit("someone-else", "7.7.7.7")).contains(Duration.ZERO);
    }

    @Test
    void successClearsTheUserAndOldFailuresAreForgotten() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("u", "a" + i);
        }
        throttle.succeeded("u", "a0");
        assertThat(throttle.admit("u", "b")).contains(Duration.ZERO);

        for (int i = 0; i < 3; i++) {
            throttle.failed("v", "c");
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(throttle.admit("v", "c")).contains(Duration.ZERO);
    }

    @Test
    void memoryIsBounded() {
        for (int i = 0; i < 10_000; i++) {
            throttle.failed("user-" + i, "10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(100);
    }
}
