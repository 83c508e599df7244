package io.sklad.chunkstore.rpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.sklad.chunkstore.WorkerConfig;
import io.sklad.chunkstore.store.BlockId;
import io.sklad.chunkstore.store.BlockStats;
import io.sklad.chunkstore.store.BlockStore;
import io.sklad.proto.v1.BlockReportRequest;
import io.sklad.proto.v1.BlockReportResponse;
import io.sklad.proto.v1.CopyBlocksResult;
import io.sklad.proto.v1.HeartbeatRequest;
import io.sklad.proto.v1.HeartbeatResponse;
import io.sklad.proto.v1.NodeCommand;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeServiceGrpc;
import io.sklad.proto.v1.RegisterRequest;
import io.sklad.proto.v1.RegisterResponse;
import io.sklad.proto.v1.ReplicationResult;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of {@code NodeService}: on a background thread, registers with the master,
 * sends a full block report, then heartbeats every interval and hands the commands it gets to a
 * {@link NodeCommandExecutor}. A finished copy task {@linkplain #nudge() nudges} the thread to beat
 * early (at most every {@value #MIN_BEAT_GAP_MILLIS} ms), so the master confirms copies and hands out
 * the next ones without waiting a whole interval. Every block report interval a full report goes again,
 * on a thread of its own so that a long report never delays heartbeats: it is how the master learns of
 * copies it does not know and forgets the ones that are gone. While the master is away it retries with
 * backoff and logs only when the state changes. {@code reregister=true} in a heartbeat answer starts over
 * with register + report. One channel to the master, a deadline on every call.
 */
public final class GrpcMasterClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GrpcMasterClient.class);

    /** Block ids per report frame. */
    public static final int REPORT_FRAME_IDS = 10_000;
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);
    static final long MIN_BEAT_GAP_MILLIS = 100;

    private enum State { STARTING, CONNECTED, UNREACHABLE }

    private final WorkerConfig config;
    private final String nodeId;
    private final String address;
    private final BlockStore store;
    private final NodeCommandExecutor commands;
    private final ManagedChannel channel;
    private final NodeServiceGrpc.NodeServiceBlockingStub blocking;
    private final NodeServiceGrpc.NodeServiceStub async;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread thread;
    private final Semaphore nudges = new Semaphore(0);
    private final Object reportLock = new Object();
    private final Duration reportInterval;
    private final Thread reporter;
    private volatile boolean registered;
    private volatile Duration interval;
    private State state = State.STARTING;
    private Status.Code lastFailure;

    public GrpcMasterClient(WorkerConfig config, String nodeId, String address, BlockStore store,
                            NodeCommandExecutor commands) {
        this(config, nodeId, address, store, commands, Duration.ofHours(1));
    }

    /** @param reportInterval time between two full block reports after the one at registration */
    public GrpcMasterClient(WorkerConfig config, String nodeId, String address, BlockStore store,
                            NodeCommandExecutor commands, Duration reportInterval) {
        this.config = config;
        this.reportInterval = reportInterval;
        this.nodeId = nodeId;
        this.address = address;
        this.store = store;
        this.commands = commands;
        this.interval = config.heartbeatInterval();
        this.channel = NettyChannelBuilder.forTarget(config.masterAddress()).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(ChunkAuthInterceptor.JOIN_TOKEN, config.joinToken());
        this.blocking = NodeServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        this.async = NodeServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        this.thread = new Thread(this::run, "sklad-worker-heartbeat");
        this.thread.setDaemon(true);
        this.reporter = new Thread(this::reportPeriodically, "sklad-worker-block-report");
        this.reporter.setDaemon(true);
    }

    /** Starts the background threads. */
    public void start() {
        thread.start();
        reporter.start();
    }

    /** Asks for the next heartbeat now (a copy task ended): it carries the results and fetches new work. */
    public void nudge() {
        nudges.release();
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (closing.getCount() > 0) {
            try {
                if (!registered) {
                    register();
                    report();
                    registered = true;
                }
                HeartbeatResponse response = heartbeat();
                connected();
                backoff = MIN_BACKOFF;
                if (response.getReregister()) {
                    log.info("master {} asks node {} to register again", config.masterAddress(), nodeId);
                    registered = false;
                    continue;
                }
                for (NodeCommand command : response.getCommandsList()) {
                    commands.submit(command);
                }
                if (awaitNextBeat()) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closing.getCount() == 0) {
                    return;
                }
                unreachable(e);
                try {
                    if (pause(backoff)) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void register() {
        BlockStats s = store.stats();
        RegisterResponse response = blocking.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .register(RegisterRequest.newBuilder().setNode(NodeInfo.newBuilder()
                        .setNodeId(nodeId)
                        .setAddress(address)
                        .putAllLabels(config.labels())
                        .setCapacityBytes(s.capacityBytes())
                        .setUsedBytes(s.usedBytes())
                        .setFreeBytes(s.freeBytes())
                        .setBlockCount(s.blockCount())
                        .setReadOnly(s.readOnly()))
                        .build());
        long suggested = response.getHeartbeatIntervalMillis();
        // The master's interval matters to its suspect timeout: never heartbeat less often than it asks.
        if (suggested > 0 && suggested < config.heartbeatInterval().toMillis()) {
            interval = Duration.ofMillis(suggested);
        } else {
            interval = config.heartbeatInterval();
        }
    }

    /** Every report interval, a full report while registered; failures wait for the next interval. */
    private void reportPeriodically() {
        try {
            while (!pause(reportInterval)) {
                if (!registered) {
                    continue;
                }
                try {
                    report();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (closing.getCount() == 0) {
                        return;
                    }
                    log.warn("periodic block report to {} failed, next in {}: {}", config.masterAddress(),
                            reportInterval, e.toString());
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /**
     * Full inventory in frames of {@value #REPORT_FRAME_IDS} ids, respecting flow control. One report at a
     * time: the master numbers reports and forgets rows a report did not confirm.
     */
    private void report() throws InterruptedException, ExecutionException, TimeoutException {
        synchronized (reportLock) {
            sendReport();
        }
    }

    private void sendReport() throws InterruptedException, ExecutionException, TimeoutException {
        long blocks = store.stats().blockCount();
        Duration deadline = Duration.ofMinutes(2).plusSeconds(blocks / REPORT_FRAME_IDS);
        FlowControlledResponse<BlockReportRequest, BlockReportResponse> observer =
                new FlowControlledResponse<>(BlockReportResponse.getDefaultInstance());
        CompletableFuture<BlockReportResponse> done = observer.done;
        Semaphore ready = observer.ready;
        @SuppressWarnings("unchecked")
        ClientCallStreamObserver<BlockReportRequest> requests = (ClientCallStreamObserver<BlockReportRequest>)
                async.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).blockReport(observer);
        try {
            // the node id alone first: the master dates the report from it, before this worker lists its ids
            send(requests, BlockReportRequest.newBuilder().setNodeId(nodeId).build(), ready, done);
            BlockReportRequest.Builder frame = BlockReportRequest.newBuilder();
            long sent = 0;
            Iterator<BlockId> ids = store.ids().iterator();
            while (ids.hasNext()) {
                frame.addBlockIds(ByteString.copyFrom(ids.next().toBytes()));
                if (frame.getBlockIdsCount() == REPORT_FRAME_IDS && ids.hasNext()) {
                    send(requests, frame.build(), ready, done);
                    sent += REPORT_FRAME_IDS;
                    frame = BlockReportRequest.newBuilder();
                }
            }
            sent += frame.getBlockIdsCount();
            send(requests, frame.setLast(true).build(), ready, done);
            requests.onCompleted();
            BlockReportResponse response = done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            log.info("block report to {}: {} blocks, master knows {}, has no record of {}",
                    config.masterAddress(), sent, response.getKnown(), response.getUnknown());
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            requests.cancel("block report aborted", e);
            throw e;
        }
    }

    private void send(ClientCallStreamObserver<BlockReportRequest> requests, BlockReportRequest frame,
                      Semaphore ready, CompletableFuture<BlockReportResponse> done)
            throws InterruptedException, ExecutionException {
        while (!requests.isReady()) {
            if (done.isDone()) {
                done.get(); // throws the call's failure
                throw new IllegalStateException("master answered before the report was complete");
            }
            if (closing.getCount() == 0) {
                throw new InterruptedException("worker closing");
            }
            ready.tryAcquire(100, TimeUnit.MILLISECONDS);
        }
        requests.onNext(frame);
    }

    private HeartbeatResponse heartbeat() {
        BlockStats s = store.stats();
        Set<BlockId> corrupt = store.corruptBlocks();
        HeartbeatRequest.Builder request = HeartbeatRequest.newBuilder()
                .setNodeId(nodeId)
                .setCapacityBytes(s.capacityBytes())
                .setUsedBytes(s.usedBytes())
                .setFreeBytes(s.freeBytes())
                .setBlockCount(s.blockCount())
                .setReadOnly(s.readOnly());
        for (BlockId id : corrupt) {
            request.addCorruptBlocks(ByteString.copyFrom(id.toBytes()));
        }
        List<ReplicationResult> done = commands.takeResults();
        request.addAllReplications(done);
        List<CopyBlocksResult> copied = commands.takeCopyResults();
        request.addAllCopies(copied);
        HeartbeatResponse response;
        try {
            response = blocking.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .heartbeat(request.build());
        } catch (RuntimeException e) {
            commands.returnResults(done);
            commands.returnCopyResults(copied);
            throw e;
        }
        store.acknowledgeCorrupt(corrupt);
        return response;
    }

    private void connected() {
        if (state != State.CONNECTED) {
            log.info("node {} ({}) registered with master {}", nodeId, address, config.masterAddress());
            state = State.CONNECTED;
            lastFailure = null;
        }
    }

    private void unreachable(Exception e) {
        Status status = Status.fromThrowable(e);
        Status.Code code = status.getCode();
        if (state != State.UNREACHABLE || code != lastFailure) {
            Throwable cause = status.getCause();
            log.warn("master {} unreachable or refusing node {}: {} {}{}; retrying in the background",
                    config.masterAddress(), nodeId, code, status.getDescription(),
                    cause == null ? "" : " (" + cause.getMessage() + ")");
            state = State.UNREACHABLE;
            lastFailure = code;
        }
    }

    /**
     * Waits for the heartbeat interval, or less when nudged (never less than {@value #MIN_BEAT_GAP_MILLIS} ms
     * after the last beat); returns true when the client is closing.
     */
    private boolean awaitNextBeat() throws InterruptedException {
        long until = System.nanoTime() + interval.toNanos();
        if (pause(Duration.ofMillis(Math.min(MIN_BEAT_GAP_MILLIS, interval.toMillis())))) {
            return true;
        }
        long left = until - System.nanoTime();
        if (left > 0 && nudges.tryAcquire(left, TimeUnit.NANOSECONDS)) {
            nudges.drainPermits();
        }
        return closing.getCount() == 0;
    }

    /** Waits; returns true when the client is closing. */
    private boolean pause(Duration d) throws InterruptedException {
        return closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing.countDown();
        thread.interrupt();
        reporter.interrupt();
        try {
            thread.join(5000);
            reporter.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
