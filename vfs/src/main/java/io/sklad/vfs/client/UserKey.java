package io.sklad.vfs.client;

/**
 * An SSH public key registered for a user.
 *
 * @param fingerprint {@code SHA256:<base64>} as {@code ssh-keygen -l} prints it
 * @param publicKey   {@code "<type> <base64>"} without comment
 */
public record UserKey(String fingerprint, String type, String comment, long addedAtMillis, String publicKey) {
}
