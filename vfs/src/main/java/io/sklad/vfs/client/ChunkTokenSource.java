package io.sklad.vfs.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The current block access token for {@link GrpcChunkClient}: the one from login (or, with a token-only
 * login, the first GetBlockAccess), renewed through GetBlockAccess shortly before it expires. A failed
 * renewal keeps the old token: the worker's refusal then names the problem.
 */
public final class ChunkTokenSource implements Supplier<String> {

    private static final Logger log = LoggerFactory.getLogger(ChunkTokenSource.class);
    private static final long RENEW_BEFORE_MILLIS = 5 * 60_000;

    private final MetadataClient metadata;
    private String token;
    private long expiresAtMillis;

    /** @param initial the token from login, or null to fetch one now */
    public ChunkTokenSource(MetadataClient metadata, BlockAccess initial) throws IOException {
        this.metadata = metadata;
        BlockAccess access = initial != null && initial.chunkToken() != null && !initial.chunkToken().isEmpty()
                ? initial : metadata.getBlockAccess();
        this.token = access.chunkToken();
        this.expiresAtMillis = access.expiresAtMillis();
    }

    @Override
    public synchronized String get() {
        if (expiresAtMillis > 0 && System.currentTimeMillis() > expiresAtMillis - RENEW_BEFORE_MILLIS) {
            try {
                BlockAccess fresh = metadata.getBlockAccess();
                token = fresh.chunkToken();
                expiresAtMillis = fresh.expiresAtMillis();
            } catch (IOException e) {
                log.warn("could not renew the block access token: {}", e.toString());
            }
        }
        return token;
    }
}
