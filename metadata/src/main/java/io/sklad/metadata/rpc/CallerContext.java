package io.sklad.metadata.rpc;

import io.grpc.Context;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.Principal;

/** The authenticated user of the current gRPC call. */
final class CallerContext {
    static final Context.Key<Principal> PRINCIPAL = Context.key("sklad-principal");

    private CallerContext() {
    }

    static Principal current() {
        Principal p = PRINCIPAL.get();
        if (p == null) {
            throw new MetadataException(MetaError.UNAUTHENTICATED, "no authenticated user");
        }
        return p;
    }
}
