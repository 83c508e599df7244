package io.sklad.metadata.store;

/**
 * A login token as administrators see it; the token itself is never stored.
 *
 * @param id the first 16 hex digits of the token's SHA-256 (enough to name it, useless to log in)
 */
public record TokenInfo(String id, long createdAtMillis, long expiresAtMillis, boolean revoked) {
    /** Length of {@link #id}. */
    public static final int ID_LENGTH = 16;
}
