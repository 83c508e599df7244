package io.sklad.sftp;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.util.threads.SshThreadPoolExecutor;

/**
 * The one thread that serves an SFTP session, never interrupted.
 *
 * <p>When a session ends MINA cancels the subsystem's task with an interrupt and calls {@code shutdownNow()},
 * while that same thread is closing the session's open files. An interrupt inside a close makes the
 * file system's channels fail ({@code ClosedByInterruptException}, "interrupted while waiting for uploads"),
 * so an upload cut off by the client was never committed and its file stayed open, with its write lease,
 * until the agent stopped. Here a cancel never interrupts and {@code shutdownNow()} is an orderly
 * {@code shutdown()}: the task ends on its own, because MINA queues its end-of-session marker when the
 * channel closes, and closes every handle first.
 */
final class UninterruptedExecutor extends SshThreadPoolExecutor {

    private static final AtomicLong SESSIONS = new AtomicLong();

    UninterruptedExecutor() {
        super(1, 1, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads());
    }

    private static ThreadFactory threads() {
        long session = SESSIONS.incrementAndGet();
        return r -> {
            Thread t = new Thread(r, "sftp-session-" + session);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public Future<?> submit(Runnable task) {
        return new NoInterrupt<>(super.submit(task));
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    /** A future whose cancel never interrupts the running task. */
    private record NoInterrupt<T>(Future<T> delegate) implements Future<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return delegate.cancel(false);
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }

        @Override
        public boolean isDone() {
            return delegate.isDone();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return delegate.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return delegate.get(timeout, unit);
        }
    }
}
