package io.sklad.sftp.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts failed logins per user name and per source address and spaces out further attempts.
 *
 * <p>The first {@code freeFailures} failures of a key cost nothing; after that each attempt gets a slot
 * at least {@code baseDelay · 2^(failures − freeFailures)} (at most {@code maxDelay}) after the previous
 * one, so parallel connections queue instead of multiplying the rate. An attempt whose slot is further
 * away than {@code maxWait} is refused outright. Counts are forgotten {@code forgetAfter} after the last
 * failure, a successful login clears its user's count, and at most {@code maxEntries} keys are kept
 * (least recently used go first), so memory stays bounded whatever an attacker sends. Thread-safe.
 */
public final class LoginThrottle {

    private static final int MAX_KEY_CHARS = 256;

    private final int freeFailures;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxWait;
    private final Duration forgetAfter;
    private final Clock clock;
    private final Map<String, Failures> failures;

    private static final class Failures {
        int count;
        long lastFailureMillis;
        long nextSlotMillis;
    }

    public LoginThrottle(int freeFailures, Duration baseDelay, Duration maxDelay, Duration maxWait,
            Duration forgetAfter, int maxEntries, Clock clock) {
        this.freeFailures = freeFailures;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxWait = maxWait;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
        this.failures = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** 1 s doubling up to 30 s, refusing attempts queued more than a minute ahead, forgetting after 15 min. */
    public static LoginThrottle withDefaults(int freeFailures) {
        return new LoginThrottle(freeFailures, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ofMinutes(15), 10_000, Clock.systemUTC());
    }

    /**
     * Reserves a slot for one login attempt.
     *
     * @return how long to hold the attempt before checking it ({@link Duration#ZERO} for at once), or empty
     *         when the attempt is to be refused without checking
     */
    public synchronized Optional<Duration> admit(String user, String address) {
        long now = clock.millis();
        Failures byUser = current(userKey(user), now);
        Failures byAddress = current(addressKey(address), now);
        long slot = Math.max(now, Math.max(nextSlot(byUser), nextSlot(byAddress)));
        if (slot - now > maxWait.toMillis()) {
            return Optional.empty();
        }
        reserveAfter(byUser, slot);
        reserveAfter(byAddress, slot);
        return Optional.of(Duration.ofMillis(slot - now));
    }

    /** Records a failed attempt of {@code user} from {@code address}. */
    public synchronized void failed(String user, String address) {
        long now = clock.millis();
        for (String key : new String[] {userKey(user), addressKey(address)}) {
            Failures f = current(key, now);
            if (f == null) {
                f = new Failures();
                failures.put(key, f);
            }
            f.count++;
            f.lastFailureMillis = now;
            if (f.count >= freeFailures) {
                f.nextSlotMillis = Math.max(f.nextSlotMillis, now + step(f.count));
            }
        }
    }

    /** Records a successful login: the user proved who they are, the address keeps its record. */
    public synchronized void succeeded(String user, String address) {
        failures.remove(userKey(user));
    }

    /** Number of keys currently remembered; for tests and metrics. */
    public synchronized int size() {
        return failures.size();
    }

    private Failures current(String key, long now) {
        Failures f = failures.get(key);
        if (f != null && now - f.lastFailureMillis > forgetAfter.toMillis()) {
            failures.remove(key);
            return null;
        }
        return f;
    }

    private static long nextSlot(Failures f) {
        return f == null ? 0 : f.nextSlotMillis;
    }

    private void reserveAfter(Failures f, long slot) {
        if (f != null && f.count >= freeFailures) {
            f.nextSlotMillis = slot + step(f.count);
        }
    }

    private long step(int count) {
        int doublings = Math.min(count - freeFailures, 30);
        long delay = baseDelay.toMillis() << doublings;
        return Math.min(delay < 0 ? Long.MAX_VALUE : delay, maxDelay.toMillis());
    }

    private static String userKey(String user) {
        String u = user == null ? "" : user;
        return "u:" + (u.length() > MAX_KEY_CHARS ? u.substring(0, MAX_KEY_CHARS) : u);
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }
}
