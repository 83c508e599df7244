package io.sklad.metadata.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sklad.metadata.store.MetaError;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Requires {@code sklad-join-token} equal to the cluster join token (constant-time compare). */
public final class JoinTokenInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> JOIN_TOKEN = Metadata.Key.of("sklad-join-token", Metadata.ASCII_STRING_MARSHALLER);

    private final byte[] expected;

    public JoinTokenInterceptor(String joinToken) {
        this.expected = joinToken.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String given = headers.get(JOIN_TOKEN);
        if (given == null || !MessageDigest.isEqual(expected, given.trim().getBytes(StandardCharsets.UTF_8))) {
            var s = GrpcErrors.status(MetaError.UNAUTHENTICATED, "missing or wrong join token", null, null);
            call.close(s.getStatus(), s.getTrailers() == null ? new Metadata() : s.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
