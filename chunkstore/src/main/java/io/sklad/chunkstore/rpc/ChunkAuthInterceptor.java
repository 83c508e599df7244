package io.sklad.chunkstore.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.sklad.proto.v1.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Objects;

/**
 * Admits a ChunkService call carrying either a valid block access token
 * ({@value #CHUNK_TOKEN_HEADER}, see {@link BlockAccessToken}) or the cluster join token
 * ({@value #JOIN_TOKEN_HEADER}, worker to worker); anything else is UNAUTHENTICATED.
 */
public final class ChunkAuthInterceptor implements ServerInterceptor {
    public static final String CHUNK_TOKEN_HEADER = "sklad-chunk-token";
    public static final String JOIN_TOKEN_HEADER = "sklad-join-token";
    public static final Metadata.Key<String> CHUNK_TOKEN =
            Metadata.Key.of(CHUNK_TOKEN_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> JOIN_TOKEN =
            Metadata.Key.of(JOIN_TOKEN_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final String joinToken;
    private final byte[] joinTokenBytes;
    private final Clock clock;

    public ChunkAuthInterceptor(String joinToken, Clock clock) {
        this.joinToken = Objects.requireNonNull(joinToken, "joinToken");
        this.joinTokenBytes = joinToken.getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ChunkAuthInterceptor(String joinToken) {
        this(joinToken, Clock.systemUTC());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (admitted(headers)) {
            return next.startCall(call, headers);
        }
        StatusRuntimeException e = GrpcErrors.error(ErrorCode.UNAUTHENTICATED,
                "missing, invalid or expired " + CHUNK_TOKEN_HEADER + " / " + JOIN_TOKEN_HEADER);
        call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }

    private boolean admitted(Metadata headers) {
        String join = headers.get(JOIN_TOKEN);
        if (join != null) {
            return MessageDigest.isEqual(joinTokenBytes, join.getBytes(StandardCharsets.UTF_8));
        }
        String chunk = headers.get(CHUNK_TOKEN);
        return chunk != null && BlockAccessToken.verify(joinToken, chunk, clock.millis()).isPresent();
    }
}
