package io.sklad.metadata;

import java.time.Duration;

/**
 * Settings of the master's self-healing: the repair scheduler and garbage collection.
 *
 * @param repairInterval        time between two repair scheduling passes
 * @param maxCopiesPerNode      copies a node may be source or target of at once (ordered, not yet confirmed)
 * @param bytesPerSecondPerNode repair bytes a node may be ordered to send or receive per second
 * @param copyTimeout           an ordered copy not confirmed within this is given up and ordered again
 * @param gcGrace               an unreferenced block (or an id a worker holds that the master never heard of)
 *                              is deleted only once it has been seen unreferenced for this long
 * @param gcInterval            time between two garbage-collection passes
 */
public record HealingConfig(Duration repairInterval, int maxCopiesPerNode, long bytesPerSecondPerNode,
                            Duration copyTimeout, Duration gcGrace, Duration gcInterval) {

    public HealingConfig {
        if (repairInterval.isNegative() || repairInterval.isZero() || gcInterval.isNegative() || gcInterval.isZero()) {
            throw new IllegalArgumentException("repair and GC intervals must be positive");
        }
        if (maxCopiesPerNode < 1 || bytesPerSecondPerNode < 1) {
            throw new IllegalArgumentException("maxCopiesPerNode and bytesPerSecondPerNode must be >= 1");
        }
        if (copyTimeout.isNegative() || copyTimeout.isZero() || gcGrace.isNegative()) {
            throw new IllegalArgumentException("copyTimeout must be positive and gcGrace not negative");
        }
    }

    /** A pass every 2 s, 256 copies and 64 MiB/s per node, 2 min copy timeout, 1 h GC grace, GC every minute. */
    public static HealingConfig defaults() {
        return new HealingConfig(Duration.ofSeconds(2), 256, 64L << 20, Duration.ofMinutes(2), Duration.ofHours(1),
                Duration.ofMinutes(1));
    }

    public HealingConfig withRepair(Duration interval, int maxCopies, long bytesPerSecond) {
        return new HealingConfig(interval, maxCopies, bytesPerSecond, copyTimeout, gcGrace, gcInterval);
    }

    public HealingConfig withCopyTimeout(Duration timeout) {
        return new HealingConfig(repairInterval, maxCopiesPerNode, bytesPerSecondPerNode, timeout, gcGrace, gcInterval);
    }

    public HealingConfig withGc(Duration grace, Duration interval) {
        return new HealingConfig(repairInterval, maxCopiesPerNode, bytesPerSecondPerNode, copyTimeout, grace, interval);
    }
}
