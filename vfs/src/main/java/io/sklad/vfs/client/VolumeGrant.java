package io.sklad.vfs.client;

/** A user's role on one volume. */
public record VolumeGrant(String volume, GrantRole role) {
}
