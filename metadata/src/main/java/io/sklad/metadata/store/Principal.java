package io.sklad.metadata.store;

/** An authenticated user on whose behalf a namespace call runs. */
public record Principal(String user, boolean admin) {
}
