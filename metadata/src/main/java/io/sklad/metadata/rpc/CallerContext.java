package io.sklad.metadata.rpc;

import io.grpc.Context;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.Principal;

/** The authenticated user of the current gRPC call. */
final class CallerContext {
    static final Context.Key<Principal> PRINCIPAL = Context.key("sklad-principal");
    /** Id ({@link io.sklad.metadata.store.TokenInfo#id}) of the token the call came with. */
    static final Context.Key<String> TOKEN_ID = Context.key("sklad-token-id");

    private CallerContext() {
    }

    static Principal current() {
        Principal p = PRINCIPAL.get();
        if (p == null) {
            throw new MetadataException(MetaError.UNAUTHENTICATED, "no authenticated user");
        }
        return p;
    }

    /** The id of the caller's token, or null outside a bearer-authenticated call. */
    static String tokenId() {
        return TOKEN_ID.get();
    }
}
