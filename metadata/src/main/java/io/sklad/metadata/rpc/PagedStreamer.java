package io.sklad.metadata.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.Optional;

/**
 * Streams pages to a client only as fast as it reads them: the next page is fetched when the
 * transport is ready, so a huge listing never piles up in the master's heap.
 */
final class PagedStreamer<T> implements Runnable {
    /** Produces the next page, or empty when done. Called from one thread at a time. */
    @FunctionalInterface
    interface PageSource<T> {
        Optional<T> next();
    }

    private final ServerCallStreamObserver<T> out;
    private final PageSource<T> source;
    private boolean done;

    private PagedStreamer(ServerCallStreamObserver<T> out, PageSource<T> source) {
        this.out = out;
        this.source = source;
    }

    /** Must be called from the service method itself (gRPC wants the handlers set before it returns). */
    static <T> void stream(StreamObserver<T> observer, PageSource<T> source) {
        ServerCallStreamObserver<T> out = (ServerCallStreamObserver<T>) observer;
        PagedStreamer<T> s = new PagedStreamer<>(out, source);
        out.setOnCancelHandler(s::cancel);
        out.setOnReadyHandler(s);
        s.run();
    }

    private synchronized void cancel() {
        done = true;
    }

    @Override
    public synchronized void run() {
        while (!done && out.isReady()) {
            Optional<T> page;
            try {
                page = source.next();
            } catch (RuntimeException e) {
                done = true;
                out.onError(GrpcErrors.toStatus(e));
                return;
            }
            if (page.isEmpty()) {
                done = true;
                out.onCompleted();
                return;
            }
            out.onNext(page.get());
        }
    }
}
