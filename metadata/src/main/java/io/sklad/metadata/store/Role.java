package io.sklad.metadata.store;

/** What a grant lets a user do with a volume. */
public enum Role {
    OWNER, READ_WRITE, READ_ONLY;

    public boolean canWrite() {
        return this != READ_ONLY;
    }
}
