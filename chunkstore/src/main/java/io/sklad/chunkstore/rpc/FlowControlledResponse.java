package io.sklad.chunkstore.rpc;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The answer side of a client-streaming call whose sender honours gRPC flow control: {@link #ready} gets a
 * permit whenever the stream becomes ready (or fails, so a waiting sender wakes up), and {@link #done} ends with
 * the server's one answer, its failure, or {@code empty} when it completes without one.
 */
final class FlowControlledResponse<Q, R> implements ClientResponseObserver<Q, R> {

    final CompletableFuture<R> done = new CompletableFuture<>();
    final Semaphore ready = new Semaphore(0);
    private final R empty;

    FlowControlledResponse(R empty) {
        this.empty = empty;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requests) {
        requests.setOnReadyHandler(ready::release);
    }

    @Override
    public void onNext(R value) {
        done.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
        ready.release();
    }

    @Override
    public void onCompleted() {
        done.complete(empty);
    }
}
