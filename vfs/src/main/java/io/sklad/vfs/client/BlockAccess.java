package io.sklad.vfs.client;

/** A block access token for the workers and when it expires. */
public record BlockAccess(String chunkToken, long expiresAtMillis) {

    @Override
    public String toString() {
        return "BlockAccess[expiresAtMillis=" + expiresAtMillis + "]";
    }
}
