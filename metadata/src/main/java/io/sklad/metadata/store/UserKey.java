package io.sklad.metadata.store;

/**
 * An SSH public key registered for a user.
 *
 * @param fingerprint OpenSSH's {@code SHA256:<base64 without padding>} of the key blob
 * @param publicKey   {@code "<type> <base64>"}, without comment
 */
public record UserKey(String user, String fingerprint, String type, String publicKey, String comment,
                      long addedAtMillis) {
}
