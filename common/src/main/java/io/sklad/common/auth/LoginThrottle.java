package io.sklad.common.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed logins of one network entry point (WebDAV, SFTP), counted per user name and per source address,
 * logged, and turned into waits — shared so that every entry point refuses bad credentials the same way.
 *
 * <p>From the {@code freeFailures}-th failure of a key on, each failure moves the key's next slot to at least
 * {@code baseDelay · 2^(failures − freeFailures)} (at most {@code maxDelay}) after it; earlier ones cost nothing. Counts are forgotten {@code forgetAfter} after a key's last failure, a successful login clears its user's
 * count (the address keeps its record), and at most {@code maxEntries} keys are kept (least recently used go
 * first), so memory stays bounded whatever an attacker sends. Thread-safe.
 *
 * <p>Two ways to use it, because the protocols differ:
 * <ul>
 * <li><b>hold the check</b> ({@link #admit} before checking, SFTP): each attempt reserves the next slot of its
 * user and of its address, so parallel connections queue instead of multiplying the rate; an attempt whose
 * slot is more than {@code maxWait} away is refused without checking.</li>
 * <li><b>hold the failed answer</b> ({@link #failed}'s return value, WebDAV): HTTP clients send their
 * credentials with every request, so a client whose password is right must not queue behind an attacker
 * sharing its address; only wrong answers wait.</li>
 * </ul>
 */
public final class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    private static final int MAX_KEY_CHARS = 256;
    private static final int MAX_LOGGED_CHARS = 64;

    private final String entryPoint;
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

    /**
     * @param entryPoint   name of the entry point in log lines ({@code sftp}, {@code webdav})
     * @param freeFailures failures per key answered without any wait, at least 1
     * @param baseDelay    wait after the first failure beyond the free ones; doubles with each further one
     * @param maxDelay     ceiling of one step
     * @param maxWait      an attempt whose slot is further away than this is refused ({@link #admit})
     * @param forgetAfter  quiet time after which a key's failures are forgotten
     * @param maxEntries   keys remembered at most
     */
    public LoginThrottle(String entryPoint, int freeFailures, Duration baseDelay, Duration maxDelay, Duration maxWait,
            Duration forgetAfter, int maxEntries, Clock clock) {
        if (freeFailures < 1) {
            throw new IllegalArgumentException("freeFailures must be at least 1: " + freeFailures);
        }
        this.entryPoint = entryPoint;
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

    /**
     * SFTP: {@code freeFailures} answered at full speed, then 1 s doubling up to 30 s, attempts queued more than
     * a minute ahead refused, forgotten after 15 minutes, at most 10 000 keys.
     */
    public static LoginThrottle forSessions(String entryPoint, int freeFailures) {
        return new LoginThrottle(entryPoint, freeFailures, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofMinutes(15), 10_000, Clock.systemUTC());
    }

    /**
     * WebDAV: the first failure answered at once, then 100 ms doubling up to 5 s, forgotten after 15 minutes,
     * at most 10 000 keys.
     */
    public static LoginThrottle forRequests(String entryPoint) {
        return new LoginThrottle(entryPoint, 2, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofMinutes(15), 10_000, Clock.systemUTC());
    }

    /**
     * Reserves a slot for one login attempt, before the credentials are checked.
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

    /**
     * Records and logs a failed attempt of {@code user} from {@code address} (never the password).
     *
     * @param method how the client tried ({@code password}, {@code publickey}, {@code basic})
     * @return how long until the next slot of the user or the address: the wait before a failure is answered,
     *         for entry points that check first
     */
    public Duration failed(String user, String address, String method) {
        int userFailures;
        int addressFailures;
        long wait;
        synchronized (this) {
            long now = clock.millis();
            Failures byUser = record(userKey(user), now);
            Failures byAddress = record(addressKey(address), now);
            userFailures = byUser.count;
            addressFailures = byAddress.count;
            wait = Math.max(0, Math.max(byUser.nextSlotMillis, byAddress.nextSlotMillis) - now);
        }
        log.warn("failed login: user={} address={} method={} entry={} failures(user={}, address={})",
                printable(user), printable(address), method, entryPoint, userFailures, addressFailures);
        return Duration.ofMillis(wait);
    }

    /** Records a successful login: the user proved who they are, the address keeps its record. */
    public synchronized void succeeded(String user, String address) {
        failures.remove(userKey(user));
    }

    /** Failures remembered for a user name; for tests and metrics. */
    public synchronized int userFailures(String user) {
        Failures f = current(userKey(user), clock.millis());
        return f == null ? 0 : f.count;
    }

    /** Failures remembered for a source address; for tests and metrics. */
    public synchronized int addressFailures(String address) {
        Failures f = current(addressKey(address), clock.millis());
        return f == null ? 0 : f.count;
    }

    /** Number of keys currently remembered; for tests and metrics. */
    public synchronized int size() {
        return failures.size();
    }

    private Failures record(String key, long now) {
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
        return f;
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

    /** Names come from the network: keep log lines single and short. */
    public static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_LOGGED_CHARS));
        for (int i = 0; i < s.length() && sb.length() < MAX_LOGGED_CHARS; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
