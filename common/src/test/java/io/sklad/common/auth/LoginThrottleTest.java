package io.sklad.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
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
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    /** Sessions style: 3 free failures, 1 s doubling to 8 s, refused beyond 20 s, at most 100 keys. */
    private final LoginThrottle sessions = new LoginThrottle("sftp", 3, Duration.ofSeconds(1), Duration.ofSeconds(8),
            Duration.ofSeconds(20), Duration.ofMinutes(15), 100, clock);
    /** Requests style, as {@link LoginThrottle#forRequests} but with the test's clock. */
    private final LoginThrottle requests = new LoginThrottle("webdav", 2, Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofMinutes(1), 3, clock);

    @Test
    void freeFailuresThenDoublingSlotsBeforeTheCheck() {
        for (int i = 0; i < 3; i++) {
            assertThat(sessions.admit("u", "1.2.3.4")).contains(Duration.ZERO);
            sessions.failed("u", "1.2.3.4", "password");
        }
        assertThat(sessions.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        sessions.failed("u", "1.2.3.4", "password");
        assertThat(sessions.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        sessions.failed("u", "1.2.3.4", "password");
        assertThat(sessions.admit("u", "1.2.3.4")).contains(Duration.ofSeconds(4));
    }

    @Test
    void parallelAttemptsQueueAndFarSlotsAreRefused() {
        for (int i = 0; i < 6; i++) {
            sessions.failed("u", "1.2.3.4", "password");
        }
        // 6 failures, 3 free: each reserved slot is 8 s (the cap) after the one before
        assertThat(sessions.admit("u", "9.9.9.9")).contains(Duration.ofSeconds(8));
        assertThat(sessions.admit("u", "9.9.9.9")).contains(Duration.ofSeconds(16));
        assertThat(sessions.admit("u", "9.9.9.9")).isEqualTo(Optional.empty());
    }

    @Test
    void anAddressIsThrottledAcrossUserNamesAndAUserAcrossAddresses() {
        for (int i = 0; i < 3; i++) {
            sessions.failed("user" + i, "6.6.6.6", "password");
        }
        assertThat(sessions.admit("someone-else", "6.6.6.6")).contains(Duration.ofSeconds(1));
        assertThat(sessions.admit("someone-else", "7.7.7.7")).contains(Duration.ZERO);

        for (int i = 0; i < 3; i++) {
            sessions.failed("victim", "10.0.0." + i, "publickey");
        }
        assertThat(sessions.admit("victim", "10.0.0.99")).contains(Duration.ofSeconds(1));
        assertThat(sessions.userFailures("victim")).isEqualTo(3);
        assertThat(sessions.addressFailures("6.6.6.6")).isEqualTo(3);
    }

    @Test
    void failedAnswersWaitLongerAndLongerTheWorstKeyDeciding() {
        assertThat(requests.failed("a", "1.1.1.1", "basic")).isZero();
        assertThat(requests.failed("a", "1.1.1.1", "basic")).isEqualTo(Duration.ofMillis(100));
        assertThat(requests.failed("a", "1.1.1.1", "basic")).isEqualTo(Duration.ofMillis(200));
        assertThat(requests.failed("a", "1.1.1.1", "basic")).isEqualTo(Duration.ofMillis(400));
        assertThat(requests.failed("a", "1.1.1.1", "basic")).isEqualTo(Duration.ofMillis(500));
        // a fresh user from a failing address is slowed all the same
        assertThat(requests.failed("fresh", "1.1.1.1", "basic")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void successClearsTheUserAndOldFailuresAreForgotten() {
        for (int i = 0; i < 3; i++) {
            sessions.failed("u", "a" + i, "password");
        }
        sessions.succeeded("u", "a0");
        assertThat(sessions.userFailures("u")).isZero();
        assertThat(sessions.addressFailures("a0")).as("the address keeps its record").isEqualTo(1);
        assertThat(sessions.admit("u", "b")).contains(Duration.ZERO);

        for (int i = 0; i < 3; i++) {
            sessions.failed("v", "c", "password");
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(sessions.admit("v", "c")).contains(Duration.ZERO);
        assertThat(sessions.userFailures("v")).isZero();
    }

    @Test
    void memoryIsBoundedWhateverIsSent() {
        for (int i = 0; i < 10_000; i++) {
            sessions.failed("user-" + i + "x".repeat(1000), "10.0." + (i / 256) + "." + (i % 256), "password");
        }
        assertThat(sessions.size()).isLessThanOrEqualTo(100);
        requests.failed("a", "1", "basic");
        requests.failed("b", "2", "basic");
        assertThat(requests.size()).isLessThanOrEqualTo(3);
        assertThat(requests.userFailures("a")).as("evicted: at most 3 keys kept").isZero();
    }

    @Test
    void namesFromTheNetworkAreLoggedOnOneShortLine() {
        assertThat(LoginThrottle.printable("evil\nuser\u0000" + "x".repeat(100))).hasSize(64)
                .startsWith("evil?user?xx").doesNotContain("\n");
        assertThat(LoginThrottle.printable(null)).isEmpty();
    }
}
