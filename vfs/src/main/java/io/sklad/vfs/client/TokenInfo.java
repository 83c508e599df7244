package io.sklad.vfs.client;

/**
 * A login token of a user; the token itself is never shown.
 *
 * @param id first 16 hex digits of the token's SHA-256, what {@link AdminClient#revokeTokens} takes
 */
public record TokenInfo(String id, long createdAtMillis, long expiresAtMillis, boolean revoked) {
}
