package io.sklad.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class UninterruptedExecutorTest {

    /** What MINA does when a session ends: cancel(true) and shutdownNow() while the task is still closing files. */
    @Test
    void cancellingAndShuttingDownNeverInterruptTheRunningTask() throws Exception {
        UninterruptedExecutor executor = new UninterruptedExecutor();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        Future<?> task = executor.submit(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
            finished.set(true);
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        task.cancel(true);
        assertThat(executor.shutdownNow()).isEmpty();
        Thread.sleep(100);
        release.countDown();

        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(finished).isTrue();
        assertThat(interrupted).isFalse();
    }
}
