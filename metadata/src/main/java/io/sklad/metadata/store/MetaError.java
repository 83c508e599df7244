package io.sklad.metadata.store;

/** Why a metadata operation failed; mirrors the wire's {@code ErrorCode} without depending on it. */
public enum MetaError {
    NOT_FOUND,
    ALREADY_EXISTS,
    NOT_DIRECTORY,
    IS_DIRECTORY,
    NOT_EMPTY,
    INVALID_NAME,
    ACCESS_DENIED,
    CONFLICT,
    NO_SPACE,
    UNKNOWN_VOLUME,
    INVALID_ARGUMENT,
    CORRUPT,
    UNAVAILABLE,
    UNAUTHENTICATED,
    NOT_SUPPORTED
}
