package io.sklad.vfs.client;

/**
 * A successful login.
 *
 * @param chunkToken block access token for the workers (metadata {@code sklad-chunk-token})
 */
public record LoginResult(String token, long expiresAtMillis, boolean admin, String chunkToken) {

    @Override
    public String toString() {
        return "LoginResult[expiresAtMillis=" + expiresAtMillis + ", admin=" + admin + "]";
    }
}
