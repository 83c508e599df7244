package io.sklad.metadata.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Exposes the lease holder a call names in metadata {@code sklad-lease-holder} (null when none), so that
 * CommitVersion can tell the lease holder's own commits from everybody else's without a proto field.
 */
public final class LeaseHolderInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> LEASE_HOLDER =
            Metadata.Key.of("sklad-lease-holder", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> HOLDER = Context.key("sklad-lease-holder");

    /** The holder named by the current call, or null. */
    static String current() {
        return HOLDER.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String holder = headers.get(LEASE_HOLDER);
        if (holder == null || holder.isBlank()) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(HOLDER, holder.trim()), call, headers, next);
    }
}
