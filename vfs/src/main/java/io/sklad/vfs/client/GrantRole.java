package io.sklad.vfs.client;

/** What a grant lets a user do with a volume. */
public enum GrantRole {
    OWNER, READ_WRITE, READ_ONLY
}
