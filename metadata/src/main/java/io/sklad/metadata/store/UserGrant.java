package io.sklad.metadata.store;

/** A user's role on one volume. */
public record UserGrant(String volume, Role role) {
}
