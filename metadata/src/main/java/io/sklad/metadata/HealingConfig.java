package io.sklad.metadata;

import java.time.Duration;

/**
 * Settings of the master's self-healing: the repair scheduler and garbage collection.
 *
 * @param repairInterval        time between two repair scheduling passes (a finished copy task also starts one)
 * @param maxTasksPerNode       copy tasks a node may be source or target of at once (ordered, not yet confirmed)
 * @param blocksPerTask         blocks one copy task carries at most (one PutBlocks stream, one group fsync)
 * @param bytesPerSecondPerNode repair bytes a node may be ordered to send or receive per second
 * @param copyTimeout           an ordered copy not confirmed within this is given up and ordered again
 * @param gcGrace               an unreferenced block (or an id a worker holds that the master never heard of)
 *                              is deleted only once it has been seen unreferenced for this long
 * @param gcInterval            time between two garbage-collection passes
 */
public record HealingConfig(Duration repairInterval, int maxTasksPerNode, int blocksPerTask,
                            long bytesPerSecondPerNode, Duration copyTimeout, Duration gcGrace, Duration gcInterval) {

    /** Default copy tasks per node: a worker runs four at once (NodeCommandExecutor's threads). */
    public static final int DEFAULT_TASKS_PER_NODE = 4;
    /** Default blocks per task: 16 MiB of 64 KiB blocks per stream and fsync. */
    public static final int DEFAULT_BLOCKS_PER_TASK = 256;

    public HealingConfig {
        if (repairInterval.isNegative() || repairInterval.isZero() || gcInterval.isNegative() || gcInterval.isZero()) {
            throw new IllegalArgumentException("repair and GC intervals must be positive");
        }
        if (maxTasksPerNode < 1 || blocksPerTask < 1 || bytesPerSecondPerNode < 1) {
            throw new IllegalArgumentException("maxTasksPerNode, blocksPerTask and bytesPerSecondPerNode must be >= 1");
        }
        if (copyTimeout.isNegative() || copyTimeout.isZero() || gcGrace.isNegative()) {
            throw new IllegalArgumentException("copyTimeout must be positive and gcGrace not negative");
        }
    }

    /**
     * A pass every 2 s, 4 tasks of up to 256 blocks and 64 MiB/s per node, 2 min copy timeout, 1 h GC grace,
     * GC every minute.
     */
    public static HealingConfig defaults() {
        return new HealingConfig(Duration.ofSeconds(2), DEFAULT_TASKS_PER_NODE, DEFAULT_BLOCKS_PER_TASK, 64L << 20,
                Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofMinutes(1));
    }

    public HealingConfig withRepair(Duration interval, int maxTasks, long bytesPerSecond) {
        return new HealingConfig(interval, maxTasks, blocksPerTask, bytesPerSecond, copyTimeout, gcGrace, gcInterval);
    }

    public HealingConfig withBlocksPerTask(int blocks) {
        return new HealingConfig(repairInterval, maxTasksPerNode, blocks, bytesPerSecondPerNode, copyTimeout, gcGrace,
                gcInterval);
    }

    public HealingConfig withCopyTimeout(Duration timeout) {
        return new HealingConfig(repairInterval, maxTasksPerNode, blocksPerTask, bytesPerSecondPerNode, timeout, gcGrace,
                gcInterval);
    }

    public HealingConfig withGc(Duration grace, Duration interval) {
        return new HealingConfig(repairInterval, maxTasksPerNode, blocksPerTask, bytesPerSecondPerNode, copyTimeout,
                grace, interval);
    }
}
