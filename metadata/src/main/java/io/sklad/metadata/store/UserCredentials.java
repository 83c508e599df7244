package io.sklad.metadata.store;

/** A user's stored password hash (PBKDF2) and flags. */
public record UserCredentials(String name, String passwordHash, String salt, int iterations,
                              boolean admin, boolean disabled) {
}
