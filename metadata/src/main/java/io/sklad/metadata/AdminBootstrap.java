package io.sklad.metadata;

/**
 * Result of {@link MasterServer#ensureAdmin(String)}: whether the admin user was created, and
 * its password when it was (null otherwise).
 */
public record AdminBootstrap(boolean created, String password) {
}
