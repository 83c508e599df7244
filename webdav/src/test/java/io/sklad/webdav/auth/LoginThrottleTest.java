package io.sklad.webdav.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    @Test
    void delayDoublesUpToTheCeilingAndMemoryIsBounded() {
        LoginThrottle t = new LoginThrottle(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMinutes(15),
                3, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        assertThat(t.fail("a")).isZero();
        assertThat(t.fail("a")).isEqualTo(Duration.ofMillis(100));
        assertThat(t.fail("a")).isEqualTo(Duration.ofMillis(200));
        assertThat(t.fail("a")).isEqualTo(Duration.ofMillis(400));
        assertThat(t.fail("a")).isEqualTo(Duration.ofMillis(500));
        // The worst of the keys decides: a fresh user from a failing address is still slowed.
        assertThat(t.fail("a", "fresh")).isEqualTo(Duration.ofMillis(500));
        t.fail("b");
        t.fail("c");
        t.fail("d");
        assertThat(t.failures("a")).isZero(); // evicted, at most 3 keys kept
        t.succeed("d");
        assertThat(t.failures("d")).isZero();
    }

    @Test
    void failuresAreForgottenAfterQuietTime() {
        Instant[] now = {Instant.EPOCH};
        Clock clock = new Clock() {
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
                return now[0];
            }
        };
        LoginThrottle t = new LoginThrottle(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(1), 10, clock);
        t.fail("k");
        t.fail("k");
        assertThat(t.failures("k")).isEqualTo(2);
        now[0] = now[0].plusSeconds(61);
        assertThat(t.failures("k")).isZero();
    }
}
