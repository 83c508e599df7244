package io.sklad.webdav.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts recent login failures per key (a client address, a user name) and tells how long to stall
 * the next failed answer, doubling per failure up to a ceiling. Memory is bounded: the oldest keys are
 * evicted beyond {@code maxKeys}, and a key's count is forgotten after {@code forgetAfter} without failures.
 */
public final class LoginThrottle {

    private record Failures(int count, Instant last) {
    }

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration forgetAfter;
    private final Clock clock;
    private final Map<String, Failures> failures;

    public LoginThrottle(Duration baseDelay, Duration maxDelay, Duration forgetAfter, int maxKeys, Clock clock) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
        this.failures = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** 100 ms doubling to 5 s, forgotten after 15 minutes, at most 10 000 keys. */
    public static LoginThrottle defaults() {
        return new LoginThrottle(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(15),
                10_000, Clock.systemUTC());
    }

    /** Records a failure for every key and returns the delay to apply before answering it. */
    public synchronized Duration fail(String... keys) {
        Instant now = clock.instant();
        int worst = 0;
        for (String key : keys) {
            Failures f = current(key, now);
            int count = f == null ? 1 : f.count() + 1;
            failures.put(key, new Failures(count, now));
            worst = Math.max(worst, count);
        }
        return delayFor(worst);
    }

    /** A successful login clears the user's count; the address keeps its own history. */
    public synchronized void succeed(String key) {
        failures.remove(key);
    }

    /** Number of failures remembered for a key (for tests and metrics). */
    public synchronized int failures(String key) {
        Failures f = current(key, clock.instant());
        return f == null ? 0 : f.count();
    }

    private Failures current(String key, Instant now) {
        Failures f = failures.get(key);
        if (f != null && f.last().plus(forgetAfter).isBefore(now)) {
            failures.remove(key);
            return null;
        }
        return f;
    }

    private Duration delayFor(int count) {
        if (count <= 1) {
            return Duration.ZERO;
        }
        int shift = Math.min(count - 2, 20);
        Duration d = baseDelay.multipliedBy(1L << shift);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
