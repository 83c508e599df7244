package io.sklad.metadata.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sklad.metadata.auth.Authenticator;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.Principal;

/** Requires {@code authorization: Bearer <token>} with a valid token; puts the user in the call context. */
public final class BearerAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator auth;

    public BearerAuthInterceptor(Authenticator auth) {
        this.auth = auth;
    }

    /** The token of an {@code authorization: Bearer} header, or null. */
    static String bearer(Metadata headers) {
        String value = headers.get(AUTHORIZATION);
        if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return value.substring(7).trim();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Principal principal;
        String token = bearer(headers);
        try {
            principal = auth.authenticate(token);
        } catch (MetadataException e) {
            var s = GrpcErrors.toStatus(e);
            call.close(s.getStatus(), s.getTrailers() == null ? new Metadata() : s.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(CallerContext.PRINCIPAL, principal)
                .withValue(CallerContext.TOKEN_ID, Authenticator.tokenId(token)), call, headers, next);
    }
}
