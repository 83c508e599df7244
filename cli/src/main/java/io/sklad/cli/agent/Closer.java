package io.sklad.cli.agent;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes what a server command opened, last opened first, exactly once (shutdown hook or error path). */
public final class Closer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

    private final Deque<AutoCloseable> stack = new ArrayDeque<>();
    private boolean closed;

    public synchronized <T extends AutoCloseable> T register(T c) {
        if (closed) {
            throw new IllegalStateException("already closed");
        }
        stack.push(c);
        return c;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!stack.isEmpty()) {
            AutoCloseable c = stack.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("shutdown: closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
